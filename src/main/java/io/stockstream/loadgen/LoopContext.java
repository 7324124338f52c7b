package io.stockstream.loadgen;

import io.netty.channel.EventLoop;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the connections of one event loop share (counters, the scanner, a scratch buffer, the slow
 * readers' pacing timer), and the one place a complete text message is accounted for.
 */
final class LoopContext {

  /** How often slow readers get their read budget topped up. */
  static final long REFILL_MS = 100;

  final EventLoop loop;
  final LoopStats stats = new LoopStats();
  final SymbolTable symbols;
  final SplittableRandom random;
  final MessageDigest sha1;
  private final FrameScanner scanner = new FrameScanner();
  private final List<ConnectionHandler> slowReaders = new ArrayList<>();
  private byte[] scratch = new byte[8192];

  /**
   * @param symbols null for the probe, which subscribes to nothing
   */
  LoopContext(EventLoop loop, SymbolTable symbols, long seed) {
    this.loop = loop;
    this.symbols = symbols;
    this.random = new SplittableRandom(seed);
    try {
      this.sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }

  /** A buffer of at least {@code n} bytes, reused by every message of this loop. */
  byte[] scratch(int n) {
    if (scratch.length < n) {
      scratch = new byte[Math.max(n, scratch.length * 2)];
    }
    return scratch;
  }

  /** Accounts one complete text message held in {@code b[0, len)}. */
  void text(ConnectionHandler c, byte[] b, int len, long nowMs) {
    FrameScanner s = scanner;
    if (s.scan(b, 0, len) < 0) {
      stats.otherFrame();
      return;
    }
    switch (s.type) {
      case FrameScanner.TICK -> {
        long verdict = verdict(c, b);
        stats.tick(c.slow(), s.ts < 0 ? 0 : nowMs - s.ts, verdict);
      }
      case FrameScanner.SUBSCRIBED -> {
        stats.otherFrame();
        snapshot(c, b, len);
      }
      case FrameScanner.WELCOME -> {
        stats.otherFrame();
        if (s.symbolsStart >= 0) {
          c.welcome(b, s.symbolsStart, len);
        }
      }
      default -> stats.otherFrame();
    }
  }

  private long verdict(ConnectionHandler c, byte[] b) {
    if (symbols == null || scanner.symbolStart < 0) {
      return SeqTracker.NOT_SUBSCRIBED;
    }
    int u = symbols.indexOf(b, scanner.symbolStart, scanner.symbolLength);
    return u < 0 || scanner.seq < 0 ? SeqTracker.NOT_SUBSCRIBED : c.seqs().observe(u, scanner.seq);
  }

  /**
   * The ticks of a {@code subscribed} snapshot set each symbol's base seq, so that a hole between
   * the snapshot and the first live tick counts as a gap; they are not counted as ticks.
   */
  private void snapshot(ConnectionHandler c, byte[] b, int len) {
    int i = scanner.snapshotStart;
    if (i < 0) {
      return;
    }
    i++;
    while (i < len) {
      byte x = b[i];
      if (x == '{') {
        i = scanner.scan(b, i, len);
        if (i < 0) {
          return;
        }
        verdict(c, b);
      } else if (x == ']') {
        return;
      } else {
        i++;
      }
    }
  }

  /** Paces a slow reader from now on; the first one starts the loop's refill timer. */
  void addSlowReader(ConnectionHandler c) {
    if (slowReaders.isEmpty()) {
      loop.scheduleAtFixedRate(this::refill, REFILL_MS, REFILL_MS, TimeUnit.MILLISECONDS);
    }
    slowReaders.add(c);
  }

  void removeSlowReader(ConnectionHandler c) {
    slowReaders.remove(c);
  }

  private void refill() {
    // Backwards: a refill may end in a close that removes the reader from the list.
    for (int i = slowReaders.size() - 1; i >= 0; i--) {
      if (i < slowReaders.size()) {
        slowReaders.get(i).refill();
      }
    }
  }
}
