package io.stockstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class WelcomeSmokeTest {

  @Test
  void subscribeByQueryGetsWelcomeSnapshotAndTicks(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, java.util.Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "20"))
        .compose(node -> WsClient.connect(vertx, node.port(), "/ws?symbols=aapl"))
        .compose(
            c ->
                c.next("welcome")
                    .compose(
                        w -> {
                          ctx.verify(() -> assertThat(w.getInteger("protocol")).isEqualTo(1));
                          return c.next("subscribed");
                        })
                    .compose(
                        s -> {
                          ctx.verify(
                              () -> {
                                assertThat(s.getJsonArray("symbols").getList())
                                    .containsExactly("AAPL");
                                assertThat(s.getJsonArray("snapshot")).hasSize(1);
                              });
                          long snapSeq = s.getJsonArray("snapshot").getJsonObject(0).getLong("seq");
                          return c.nextTick("AAPL")
                              .map(t -> new long[] {snapSeq, t.getLong("seq")});
                        }))
        .onComplete(
            ctx.succeeding(
                seqs ->
                    ctx.verify(
                        () -> {
                          assertThat(seqs[1]).isEqualTo(seqs[0] + 1);
                          ctx.completeNow();
                        })));
  }
}
