package io.stockstream.support;

/** Reads samples out of a Prometheus text exposition. */
public final class Exposition {

  private Exposition() {}

  /**
   * The value of the sample whose name and labels are exactly {@code sample}, e.g. {@code
   * stockstream_ws_handshakes_total{outcome="accepted"}}; NaN when absent.
   */
  public static double value(String exposition, String sample) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim().split(" ")[0]);
      }
    }
    return Double.NaN;
  }
}
