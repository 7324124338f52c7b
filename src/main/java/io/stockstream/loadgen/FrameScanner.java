package io.stockstream.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the few fields the load generator needs ({@code type}, {@code symbol}, {@code seq}, {@code
 * ts}) straight from a JSON object's bytes, skipping everything else, and makes no object doing it.
 *
 * <p>One instance per event loop; after {@link #scan} its public fields describe the last object
 * scanned. It is not a validating parser: it only has to stay in bounds and find these fields in
 * well-formed frames, whatever the order of their keys.
 */
public final class FrameScanner {

  public static final int OTHER = 0;
  public static final int TICK = 1;
  public static final int WELCOME = 2;
  public static final int SUBSCRIBED = 3;

  /** The object's {@code type}: one of the constants above. */
  public int type;

  public int symbolStart;
  public int symbolLength;

  /** -1 when absent. */
  public long seq;

  /** -1 when absent. */
  public long ts;

  /** Where the array value of {@code symbols} (a welcome's) starts, -1 when absent. */
  public int symbolsStart;

  /** Where the array value of {@code snapshot} (a subscribed's) starts, -1 when absent. */
  public int snapshotStart;

  private int typeStart;
  private int typeLength;

  /**
   * Scans the object that starts at {@code from} (after optional blanks).
   *
   * @return the index just after the object, or -1 when the bytes are not an object
   */
  public int scan(byte[] b, int from, int end) {
    type = OTHER;
    symbolStart = -1;
    symbolLength = 0;
    seq = -1;
    ts = -1;
    symbolsStart = -1;
    snapshotStart = -1;
    typeStart = -1;
    int i = blanks(b, from, end);
    if (i >= end || b[i] != '{') {
      return -1;
    }
    i = blanks(b, i + 1, end);
    if (i < end && b[i] == '}') {
      return i + 1;
    }
    while (i < end) {
      if (b[i] != '"') {
        return -1;
      }
      int keyStart = i + 1;
      int keyEnd = stringEnd(b, keyStart, end);
      if (keyEnd < 0) {
        return -1;
      }
      i = blanks(b, keyEnd + 1, end);
      if (i >= end || b[i] != ':') {
        return -1;
      }
      i = blanks(b, i + 1, end);
      i = value(b, i, end, keyStart, keyEnd - keyStart);
      if (i < 0) {
        return -1;
      }
      i = blanks(b, i, end);
      if (i >= end) {
        return -1;
      }
      if (b[i] == '}') {
        classify(b);
        return i + 1;
      }
      if (b[i] != ',') {
        return -1;
      }
      i = blanks(b, i + 1, end);
    }
    return -1;
  }

  /** Reads a value, keeping it when its key is one of ours; returns the index after it. */
  private int value(byte[] b, int i, int end, int key, int keyLength) {
    if (i >= end) {
      return -1;
    }
    switch (keyLength) {
      case 2:
        if (b[key] == 't' && b[key + 1] == 's') {
          return number(b, i, end, false);
        }
        break;
      case 3:
        if (b[key] == 's' && b[key + 1] == 'e' && b[key + 2] == 'q') {
          return number(b, i, end, true);
        }
        break;
      case 4:
        if (b[i] == '"' && b[key] == 't' && b[key + 1] == 'y' && b[key + 2] == 'p') {
          int e = stringEnd(b, i + 1, end);
          typeStart = i + 1;
          typeLength = e - typeStart;
          return e < 0 ? -1 : e + 1;
        }
        break;
      case 6:
        if (b[i] == '"' && b[key] == 's' && b[key + 1] == 'y' && b[key + 5] == 'l') {
          int e = stringEnd(b, i + 1, end);
          symbolStart = i + 1;
          symbolLength = e - symbolStart;
          return e < 0 ? -1 : e + 1;
        }
        break;
      case 7:
      case 8:
        // "symbols" (welcome) and "snapshot" (subscribed): arrays read afterwards, off the hot
        // path.
        if (b[i] == '[' && is(b, key, keyLength, "symbols")) {
          symbolsStart = i;
        } else if (b[i] == '[' && is(b, key, keyLength, "snapshot")) {
          snapshotStart = i;
        }
        break;
      default:
        break;
    }
    return skip(b, i, end);
  }

  private void classify(byte[] b) {
    if (typeStart < 0) {
      return;
    }
    if (is(b, typeStart, typeLength, "tick")) {
      type = TICK;
    } else if (is(b, typeStart, typeLength, "welcome")) {
      type = WELCOME;
    } else if (is(b, typeStart, typeLength, "subscribed")) {
      type = SUBSCRIBED;
    }
  }

  private int number(byte[] b, int i, int end, boolean isSeq) {
    long v = 0;
    int j = i;
    while (j < end && b[j] >= '0' && b[j] <= '9' && j - i < 18) {
      v = v * 10 + (b[j] - '0');
      j++;
    }
    if (j == i) {
      // Not a plain non-negative integer (a string, a fraction, null): not ours, skip it.
      return skip(b, i, end);
    }
    if (isSeq) {
      seq = v;
    } else {
      ts = v;
    }
    return skip(b, j, end);
  }

  /** Skips one value of any kind; returns the index after it, or -1 past the end. */
  static int skip(byte[] b, int i, int end) {
    if (i >= end) {
      return -1;
    }
    byte c = b[i];
    if (c == '"') {
      int e = stringEnd(b, i + 1, end);
      return e < 0 ? -1 : e + 1;
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      for (int j = i; j < end; j++) {
        byte d = b[j];
        if (d == '"') {
          j = stringEnd(b, j + 1, end);
          if (j < 0) {
            return -1;
          }
        } else if (d == '{' || d == '[') {
          depth++;
        } else if (d == '}' || d == ']') {
          if (--depth == 0) {
            return j + 1;
          }
        }
      }
      return -1;
    }
    int j = i;
    while (j < end && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] > ' ') {
      j++;
    }
    return j;
  }

  /** The index of the closing quote of a string whose content starts at {@code i}, or -1. */
  static int stringEnd(byte[] b, int i, int end) {
    for (int j = i; j < end; j++) {
      if (b[j] == '\\') {
        j++;
      } else if (b[j] == '"') {
        return j;
      }
    }
    return -1;
  }

  private static int blanks(byte[] b, int i, int end) {
    while (i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
      i++;
    }
    return i;
  }

  private static boolean is(byte[] b, int start, int length, String word) {
    if (length != word.length()) {
      return false;
    }
    for (int k = 0; k < length; k++) {
      if (b[start + k] != word.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The strings of the array at {@code from} (a welcome's {@code symbols}); allocates, so it is for
   * the one probe connection, never the hot path. Escaped strings are not expected in tickers.
   */
  public static List<String> strings(byte[] b, int from, int end) {
    List<String> out = new ArrayList<>();
    int i = blanks(b, from, end);
    if (i >= end || b[i] != '[') {
      return out;
    }
    i++;
    while (i < end) {
      i = blanks(b, i, end);
      if (i >= end || b[i] == ']') {
        break;
      }
      if (b[i] == '"') {
        int e = stringEnd(b, i + 1, end);
        if (e < 0) {
          break;
        }
        out.add(new String(b, i + 1, e - i - 1, StandardCharsets.UTF_8));
        i = e + 1;
      } else {
        i = skip(b, i, end);
        if (i < 0) {
          break;
        }
      }
      i = blanks(b, i, end);
      if (i < end && b[i] == ',') {
        i++;
      }
    }
    return out;
  }
}
