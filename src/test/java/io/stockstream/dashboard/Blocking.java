package io.stockstream.dashboard;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/** Browser tests run on the test's thread, which Playwright blocks anyway: so do Vert.x calls. */
final class Blocking {

  private Blocking() {}

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("a Vert.x operation failed or did not finish in 60 s", e);
    }
  }
}
