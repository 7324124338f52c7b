package io.stockstream.cluster;

import io.stockstream.config.Config;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.dns.DnsClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many members the cluster should have, from the join settings: the member list's length, or
 * the addresses the headless Service's DNS name has now (not-ready pods included). A majority of it
 * is the quorum without which no node leads, so that the smaller side of a split never publishes.
 */
public final class ExpectedMembers extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ExpectedMembers.class);
  private static final long DNS_EVERY_MS = 5_000;

  private final Config.Cluster settings;
  private final ClusterNode node;
  private volatile int count;
  private DnsClient dns;
  private long timer;

  public ExpectedMembers(Config.Cluster settings, ClusterNode node) {
    this.settings = settings;
    this.node = node;
    this.count =
        settings.join() instanceof Config.Join.Members m
            ? m.members().size()
            : node.members().size();
  }

  public int count() {
    return count;
  }

  /** A strict majority of the expected members. */
  public int quorum() {
    return count / 2 + 1;
  }

  @Override
  public Future<?> start() {
    if (settings.join() instanceof Config.Join.Dns service) {
      dns = vertx.createDnsClient();
      timer = vertx.setPeriodic(0, DNS_EVERY_MS, id -> resolve(service.name()));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    // With a member list there is nothing to stop: no client, and no timer of ours to cancel.
    if (dns == null) {
      return Future.succeededFuture();
    }
    vertx.cancelTimer(timer);
    return dns.close();
  }

  private void resolve(String name) {
    dns.resolveA(name)
        .onSuccess(addresses -> count = Math.max(1, addresses.size()))
        .onFailure(
            e -> {
              // Until DNS answers, the members that are here are all this node can count on.
              count = Math.max(1, node.members().size());
              log.debug("cluster: cannot resolve {}: {}", name, e.toString());
            });
  }
}
