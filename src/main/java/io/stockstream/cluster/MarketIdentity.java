package io.stockstream.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.stockstream.config.Config;
import io.stockstream.config.ConfigException;
import io.stockstream.config.Setting;
import io.stockstream.market.SymbolSpec;
import io.vertx.core.Future;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What makes the market one across nodes: its epoch, its seed, and the symbols and tick interval
 * every node must agree on. The first member writes it; the others adopt its epoch and seed and
 * refuse to start with other symbols or another interval. It lives as long as any member does, so
 * the epoch changes only when the whole cluster has stopped.
 */
public record MarketIdentity(String epoch, long seed) {

  private static final String KEY = "identity";

  /** Joins the cluster's market, or founds it with this node's epoch and seed. */
  public static Future<MarketIdentity> join(ClusterNode node, Config config, String newEpoch) {
    IMap<String, Object> market = node.hazelcast().getMap(ClusterBootstrap.MARKET_MAP);
    String mine = newEpoch + "|" + config.seed() + "|" + shape(config);
    return Future.fromCompletionStage(
            market.submitToKey(KEY, new Found(mine)), node.vertx().getOrCreateContext())
        .compose(
            identity -> {
              String[] parts = identity.split("\\|", 3);
              if (!parts[2].equals(shape(config))) {
                return Future.failedFuture(
                    ConfigException.of(
                        Setting.SYMBOLS,
                        "the cluster's market has other symbols or another tick interval"
                            + " (every node must have the same)"));
              }
              return Future.succeededFuture(new MarketIdentity(parts[0], Long.parseLong(parts[1])));
            });
  }

  /** The market's identity: the one already held, or {@code mine} if there is none yet. */
  record Found(String mine) implements EntryProcessor<String, Object, String> {
    @Override
    public String process(Map.Entry<String, Object> entry) {
      if (entry.getValue() instanceof String held) {
        return held;
      }
      entry.setValue(mine);
      return mine;
    }
  }

  private static String shape(Config config) {
    return config.tickIntervalMs()
        + "ms "
        + config.symbols().stream().map(MarketIdentity::spec).collect(Collectors.joining(","));
  }

  private static String spec(SymbolSpec s) {
    return s.symbol()
        + ":"
        + s.startPrice()
        + ":"
        + s.volatility()
        + ":"
        + s.drift()
        + ":"
        + s.meanLot();
  }
}
