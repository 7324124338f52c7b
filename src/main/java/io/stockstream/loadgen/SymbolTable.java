package io.stockstream.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The universe of symbols: which K of them each connection subscribes to, and the index of a symbol
 * found in a frame's bytes, looked up without making a String.
 */
public final class SymbolTable {

  private final List<String> names;
  private final byte[][] bytes;
  private final int[] slots; // open addressing: universe index + 1, 0 for empty
  private final int mask;

  private SymbolTable(List<String> names) {
    this.names = List.copyOf(names);
    this.bytes = new byte[names.size()][];
    int capacity = Integer.highestOneBit(Math.max(4, names.size() * 4) - 1) << 1;
    this.slots = new int[capacity];
    this.mask = capacity - 1;
    for (int i = 0; i < names.size(); i++) {
      bytes[i] = names.get(i).getBytes(StandardCharsets.US_ASCII);
      int s = hash(bytes[i], 0, bytes[i].length) & mask;
      while (slots[s] != 0) {
        s = (s + 1) & mask;
      }
      slots[s] = i + 1;
    }
  }

  public static SymbolTable of(List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("the universe has no symbol");
    }
    return new SymbolTable(names);
  }

  public int size() {
    return names.size();
  }

  public String name(int index) {
    return names.get(index);
  }

  /** The universe index of the symbol in {@code b[start, start+len)}, or -1 when unknown. */
  public int indexOf(byte[] b, int start, int len) {
    int s = hash(b, start, len) & mask;
    while (true) {
      int v = slots[s];
      if (v == 0) {
        return -1;
      }
      byte[] candidate = bytes[v - 1];
      if (candidate.length == len && Arrays.equals(candidate, 0, len, b, start, start + len)) {
        return v - 1;
      }
      s = (s + 1) & mask;
    }
  }

  /**
   * The {@code k} symbols of connection {@code connection}: consecutive runs that wrap around the
   * universe, so that with {@code n} connections every symbol has {@code n * k / size} subscribers
   * (give or take one) and the same run of connections always gets the same symbols.
   */
  public int[] assign(int connection, int k) {
    if (k > names.size()) {
      throw new IllegalArgumentException(
          k + " subscriptions per connection, but the universe has " + names.size() + " symbols");
    }
    int[] out = new int[k];
    long first = (long) connection * k;
    for (int j = 0; j < k; j++) {
      out[j] = (int) ((first + j) % names.size());
    }
    return out;
  }

  /** The comma list of {@code indices}, as {@code ?symbols=} takes it. */
  public String csv(int[] indices) {
    StringBuilder sb = new StringBuilder();
    for (int i : indices) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(names.get(i));
    }
    return sb.toString();
  }

  private static int hash(byte[] b, int start, int len) {
    int h = 0x811C9DC5;
    for (int i = start; i < start + len; i++) {
      h = (h ^ b[i]) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }
}
