package io.stockstream.ops;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics a node exports only in cluster mode: the contract's feed leader, members and
 * failovers (PROTOCOL.md, "Metrics"), and the members expected and the event-bus lag that the
 * cluster's dashboard row and alerts need beside them. A single node has no series of them, so the
 * single-node {@link PrometheusIT} cannot ask for their data.
 */
final class ClusterMetrics {

  static final List<String> NAMES =
      List.of(
          "stockstream_feed_leader",
          "stockstream_cluster_members",
          "stockstream_cluster_members_expected",
          "stockstream_feed_failovers_total",
          "stockstream_cluster_bus_lag_seconds");

  private static final Pattern METRIC = Pattern.compile("\\bstockstream_[a-z_]+");

  private ClusterMetrics() {}

  /** The stockstream metrics {@code expr} names, a histogram's series under its own name. */
  static List<String> in(String expr) {
    Matcher m = METRIC.matcher(expr);
    return m.results()
        .map(r -> r.group().replaceAll("_(bucket|count|sum)$", ""))
        .distinct()
        .toList();
  }

  /** Whether the series selector {@code selector} selects a cluster metric. */
  static boolean selects(String selector) {
    return in(selector).stream().anyMatch(NAMES::contains);
  }
}
