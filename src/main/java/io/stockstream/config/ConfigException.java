package io.stockstream.config;

/** A setting that cannot be used; its message is the one line the process prints before exit 2. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(oneLine(message), null, false, false);
  }

  public static ConfigException of(Setting setting, String problem) {
    return new ConfigException(setting.env() + " (" + setting.flag() + "): " + problem);
  }

  /**
   * Values are echoed in the message, so a control character or line separator in one (a CR, a
   * vertical tab) would break the one line the process prints or forge a second: they are escaped.
   */
  private static String oneLine(String message) {
    StringBuilder out = new StringBuilder(message.length());
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
