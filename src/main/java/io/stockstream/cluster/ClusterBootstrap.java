package io.stockstream.cluster;

import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import io.stockstream.config.Config;
import io.vertx.core.Future;
import io.vertx.core.VertxBuilder;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Starts a clustered Vert.x on Hazelcast from the cluster settings: TCP join to a member list or
 * Kubernetes DNS discovery, this node's address on both ports, and failure detection tuned so that
 * a dead feed leader is replaced within the contract's 3 s.
 */
public final class ClusterBootstrap {

  /** The replicated maps of the market: its identity, the feed's term and last published state. */
  static final String MARKET_MAP = "stockstream.market";

  static final String STATE_MAP = "stockstream.feed-state";

  private ClusterBootstrap() {}

  /** Joins the cluster; the returned node gives the cluster's parts what they need of Hazelcast. */
  public static Future<ClusterNode> start(VertxBuilder builder, Config.Cluster settings) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(settings));
    return builder
        .withClusterManager(manager)
        .buildClustered()
        .map(vertx -> new ClusterNode(vertx, manager.getHazelcastInstance(), settings));
  }

  /** Binds and advertises the clustered event bus on this node's address. */
  public static EventBusOptions eventBus(Config.Cluster settings) {
    return new EventBusOptions()
        .setHost(settings.host())
        .setPort(settings.eventBusPort())
        .setClusterPublicHost(settings.host())
        .setClusterPublicPort(settings.eventBusPort());
  }

  static com.hazelcast.config.Config hazelcast(Config.Cluster settings) {
    // Vert.x's own defaults first: they declare the maps its event bus keeps its subscriptions in.
    com.hazelcast.config.Config hz = ConfigUtil.loadConfig();
    hz.setClusterName("stockstream");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    // The node leaves the cluster itself, after draining, when it is told to stop.
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    // Hazelcast waits 5 s before a join by default, and takes up to 60 s to remove a member that
    // went silent; a paused leader must be replaced within seconds. A member killed outright is
    // removed sooner, when its connections fail.
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "3");
    hz.setProperty("hazelcast.connection.monitor.interval", "100");
    hz.setProperty("hazelcast.connection.monitor.max.faults", "2");
    // A member that was cut off and comes back merges into the larger cluster within seconds.
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    hz.setProperty("hazelcast.local.localAddress", settings.host());
    hz.setProperty("hazelcast.socket.bind.any", "false");

    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(settings.port()).setPortAutoIncrement(false);
    network.setPublicAddress(new Config.HostPort(settings.host(), settings.port()).toString());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    if (settings.join() instanceof Config.Join.Members m) {
      join.getTcpIpConfig()
          .setEnabled(true)
          .setConnectionTimeoutSeconds(2)
          .setMembers(m.members().stream().map(Config.HostPort::toString).toList());
    } else if (settings.join() instanceof Config.Join.Dns d) {
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", d.name())
          .setProperty("service-port", Integer.toString(settings.port()));
    }
    // Two backups: every member of a three-node cluster holds the whole state, so it survives any
    // two losses, and a rolling restart never leaves a single copy.
    hz.addMapConfig(new MapConfig(MARKET_MAP).setBackupCount(2));
    hz.addMapConfig(new MapConfig(STATE_MAP).setBackupCount(2));
    return hz;
  }
}
