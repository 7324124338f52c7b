package io.stockstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.RawWebSocket;
import io.stockstream.support.ServiceProcess;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A restart of the real process starts a new numbering of {@code seq}: the {@code welcome} names a
 * new epoch, and with the same seed the prices by seq are those of the first run.
 */
class EpochRestartIT {

  private static final int K = 10;
  private final List<ServiceProcess> processes = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    processes.forEach(ServiceProcess::close);
  }

  /** The epoch a run announced, and AAPL's first K ticks by seq. */
  private record Run(String epoch, Map<Long, JsonObject> ticks) {}

  @Test
  void restartChangesTheEpochAndTheSameSeedGivesTheSamePricesBySeq() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("STOCKSTREAM_HTTP_PORT", "0");
    env.put("STOCKSTREAM_MANAGEMENT_PORT", "0");
    env.put("STOCKSTREAM_SEED", "11");
    env.put("STOCKSTREAM_TICK_INTERVAL_MS", "20");

    Run first = runOnce(env);
    Run second = runOnce(env);

    assertThat(first.epoch()).isNotBlank();
    assertThat(second.epoch()).isNotBlank().isNotEqualTo(first.epoch());
    assertThat(second.ticks().keySet()).containsExactlyElementsOf(first.ticks().keySet());
    for (long seq = 1; seq <= K; seq++) {
      for (String field : List.of("price", "open", "high", "low", "volume")) {
        assertThat(second.ticks().get(seq).getValue(field))
            .as("AAPL %s at seq %d", field, seq)
            .isEqualTo(first.ticks().get(seq).getValue(field));
      }
    }
  }

  /** Starts the jar, reads its epoch and first ticks, stops it with SIGTERM and waits for it. */
  private Run runOnce(Map<String, String> env) throws Exception {
    ServiceProcess p = ServiceProcess.start(env);
    processes.add(p);
    Run run;
    try (RawWebSocket ws =
        RawWebSocket.connect("127.0.0.1", p.publicPort(), "/ws", Duration.ofSeconds(10))) {
      JsonObject welcome =
          json(ws.readUntil(f -> "welcome".equals(type(f)), Duration.ofSeconds(10)));
      ws.sendText(
          new JsonObject()
              .put("op", "subscribe")
              .put("symbols", List.of("AAPL"))
              .put("since", new JsonObject().put("AAPL", 0))
              .encode());
      TreeMap<Long, JsonObject> ticks = new TreeMap<>();
      ws.readUntil(
          f -> {
            if ("tick".equals(type(f))) {
              JsonObject t = json(f);
              if ("AAPL".equals(t.getString("symbol")) && t.getLong("seq") <= K) {
                ticks.put(t.getLong("seq"), t);
              }
            }
            return ticks.size() == K;
          },
          Duration.ofSeconds(15));
      run = new Run(welcome.getString("epoch"), ticks);
    }
    p.terminate();
    assertThat(p.waitForExit(Duration.ofSeconds(15))).as("exit code\n%s", p.output()).isZero();
    return run;
  }

  private static String type(RawWebSocket.Frame f) {
    return f.opcode() == RawWebSocket.TEXT ? json(f).getString("type") : null;
  }

  private static JsonObject json(RawWebSocket.Frame f) {
    return new JsonObject(f.text());
  }
}
