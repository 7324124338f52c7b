package io.stockstream.config;

/** A setting that cannot be used; its message is the one line the process prints before exit 2. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }

  static ConfigException of(Setting setting, String problem) {
    return new ConfigException(setting.env() + " (" + setting.flag() + "): " + problem);
  }
}
