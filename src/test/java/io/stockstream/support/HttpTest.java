package io.stockstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A server that accepts a request and never answers fails the request instead of hanging it. */
class HttpTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aSilentServerFailsTheRequestAfterItsTimeout() throws Exception {
    NetServer silent =
        vertx.createNetServer().connectHandler(socket -> {}).listen(0, "127.0.0.1").await();
    long started = System.nanoTime();
    Throwable failure = null;
    try {
      Http.get(vertx, silent.actualPort(), "/").await(3 * Http.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Throwable e) {
      failure = e;
    }
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    // Vert.x's own idle timeout, not the await's.
    assertThat(failure)
        .isNotNull()
        .hasMessageContaining("timeout period of " + Http.TIMEOUT_MS + "ms");
    assertThat(tookMs).isBetween(Http.TIMEOUT_MS - 1_000, 2 * Http.TIMEOUT_MS);
  }
}
