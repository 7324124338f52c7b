package io.stockstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.cluster.StreamingClient.Arrival;
import io.stockstream.cluster.StreamingClient.Report;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** What the cluster ITs check of what their clients saw, and the times they measure in it. */
final class StreamChecks {

  private StreamChecks() {}

  /**
   * Where a run of seqs is not each previous one plus one: "41 -> 43" is a hole, "41 -> 41" or "41
   * -> 40" a duplicate or a step back.
   */
  static List<String> breaks(List<Long> seqs) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i < seqs.size(); i++) {
      if (seqs.get(i) != seqs.get(i - 1) + 1) {
        out.add(seqs.get(i - 1) + " -> " + seqs.get(i));
      }
    }
    return out;
  }

  /**
   * Runs {@code check} on every report and fails with what each failing one said: one client's
   * failure does not hide what the others saw.
   */
  static void assertEach(List<Report> reports, Consumer<Report> check) {
    List<String> failures = new ArrayList<>();
    for (Report r : reports) {
      try {
        check.accept(r);
      } catch (AssertionError e) {
        failures.add(e.getMessage().strip());
      }
    }
    assertThat(failures).as("clients whose streams broke a promise").isEmpty();
  }

  /**
   * One client's whole stream, over every connection it had: one epoch, every resume replayed (no
   * gap, no snapshot in its place), and each symbol's seqs without a hole or a duplicate.
   */
  static void assertWholeStream(Report r, List<String> symbols, String epoch) {
    assertThat(r.epochs()).as("epochs in the welcomes %s got", r.name()).isNotEmpty();
    assertThat(r.epochs()).as("epochs in the welcomes %s got", r.name()).containsOnly(epoch);
    assertThat(r.gaps())
        .as("gaps of the resumes of %s (ports %s)", r.name(), r.ports())
        .allSatisfy(g -> assertThat(g).isEmpty());
    assertThat(r.resumeSnapshot())
        .as("symbols %s got a snapshot for instead of a replay", r.name())
        .isEmpty();
    for (String s : symbols) {
      List<Long> seqs = r.seqs().getOrDefault(s, List.of());
      assertThat(seqs).as("%s ticks of %s", s, r.name()).isNotEmpty();
      assertThat(breaks(seqs))
          .as(
              "holes and duplicates in the %s seqs of %s (ports %s; ticks around them: %s)",
              s, r.name(), r.ports(), around(r, s))
          .isEmpty();
    }
  }

  /** The ticks of a symbol on either side of each break, when made and when they arrived. */
  private static List<String> around(Report r, String symbol) {
    List<Arrival> of = r.arrivals().stream().filter(a -> a.symbol().equals(symbol)).toList();
    List<String> out = new ArrayList<>();
    for (int i = 1; i < of.size(); i++) {
      if (of.get(i).seq() != of.get(i - 1).seq() + 1) {
        out.add(describe(of.get(i - 1)) + " then " + describe(of.get(i)));
      }
    }
    return out;
  }

  private static String describe(Arrival a) {
    return String.format(
        "#%d made %s arrived %s on port %d",
        a.seq(), Instant.ofEpochMilli(a.ts()), Instant.ofEpochMilli(a.arrivedAt()), a.port());
  }

  /** How the ticks came back after a fault at {@code faultAt}, as clients on other nodes saw it. */
  record Resumption(long firstAfterMs, long silenceMs, Map<String, Long> perSymbolMs) {
    @Override
    public String toString() {
      return String.format(
          "first tick made after the fault arrived %d ms after it (every symbol: %s ms), %d ms"
              + " after the last tick that arrived before the fault",
          firstAfterMs, perSymbolMs, silenceMs);
    }
  }

  /**
   * Per symbol, the first tick made after {@code faultAt} (by whichever node leads then) to reach
   * any of {@code reports}, in ms after the fault; and the time from the last tick that arrived
   * before the fault to the first made after it. A node that dies or freezes at {@code faultAt}
   * makes no tick later than that: the ticks made later come from its successor.
   */
  static Resumption resumption(List<Report> reports, List<String> symbols, long faultAt) {
    Map<String, Long> first = new TreeMap<>();
    long lastBefore = Long.MIN_VALUE;
    for (Report r : reports) {
      for (Arrival a : r.arrivals()) {
        if (a.ts() > faultAt) {
          first.merge(a.symbol(), a.arrivedAt(), Math::min);
        } else if (a.arrivedAt() <= faultAt) {
          lastBefore = Math.max(lastBefore, a.arrivedAt());
        }
      }
    }
    assertThat(first.keySet())
        .as("symbols with a tick made after the fault")
        .containsExactlyInAnyOrderElementsOf(symbols);
    long firstAfter = first.values().stream().min(Long::compare).orElseThrow();
    Map<String, Long> perSymbol = new TreeMap<>();
    first.forEach((s, t) -> perSymbol.put(s, t - faultAt));
    return new Resumption(firstAfter - faultAt, firstAfter - lastBefore, perSymbol);
  }
}
