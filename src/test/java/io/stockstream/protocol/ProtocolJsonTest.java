package io.stockstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolJsonTest {

  private static TickEvent event(int index, String symbol, long seq, double price) {
    Tick t = new Tick(symbol, seq, price, 100.0, 101.5, 99.25, price - 100, price - 100, 1234, 7L);
    return new TickEvent(index, t, ProtocolJson.tickFrame(t), 0L);
  }

  @Test
  void aSubscribedFrameCarriesEachSnapshotTickAsTheFeedEncodedIt() {
    TickEvent aapl = event(0, "AAPL", 42, 100.5);
    TickEvent msft = event(1, "MSFT", 7, 99.0);

    JsonObject f =
        ProtocolJson.subscribed(7, List.of("AAPL", "MSFT"), List.of(aapl, msft), List.of("MSFT"))
            .toJsonObject();

    assertThat(f.getString("type")).isEqualTo("subscribed");
    assertThat(f.getInteger("ref")).isEqualTo(7);
    assertThat(f.getJsonArray("symbols")).isEqualTo(new JsonArray(List.of("AAPL", "MSFT")));
    assertThat(f.getJsonArray("gaps")).isEqualTo(new JsonArray(List.of("MSFT")));
    assertThat(f.getJsonArray("snapshot"))
        .containsExactly(aapl.frame().toJsonObject(), msft.frame().toJsonObject());
    assertThat(f.getJsonArray("snapshot").getJsonObject(0).getLong("seq")).isEqualTo(42);
  }

  @Test
  void aSubscribedFrameWithoutSnapshotOrSinceHasAnEmptySnapshotAndNoGaps() {
    JsonObject f =
        ProtocolJson.subscribed(ProtocolJson.NO_REF, List.of("AAPL"), List.of(), null)
            .toJsonObject();

    assertThat(f.getJsonArray("snapshot")).isEmpty();
    assertThat(f.containsKey("gaps")).isFalse();
    assertThat(f.containsKey("ref")).isFalse();
  }

  @Test
  void aWelcomeIsItsHeadThenTheSharedSymbolsThenItsTail() {
    JsonObject f =
        ProtocolJson.welcomeHead("c-1", "e\"1", 1234L)
            .appendBuffer(ProtocolJson.welcomeSymbols(List.of("AAPL", "MSFT")))
            .appendBuffer(ProtocolJson.welcomeTail(true))
            .toJsonObject();

    assertThat(f)
        .isEqualTo(
            new JsonObject()
                .put("type", "welcome")
                .put("protocol", ProtocolJson.PROTOCOL)
                .put("connectionId", "c-1")
                .put("epoch", "e\"1")
                .put("serverTime", 1234L)
                .put("symbols", new JsonArray(List.of("AAPL", "MSFT")))
                .put("market", f.getString("market")));
    assertThat(f.getString("market")).isNotBlank();
  }
}
