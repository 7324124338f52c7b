package io.stockstream.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Waits on a test's own thread for Vert.x work, for tests that also block anyway (a browser, a
 * child process); never used on an event loop.
 */
public final class Await {

  private Await() {}

  public static final long TIMEOUT_MS = 60_000;

  /** The result of {@code future}, or an AssertionError when it fails or takes over 60 s. */
  public static <T> T result(Future<T> future) {
    return result(future, TIMEOUT_MS);
  }

  /** The result of {@code future}, or an AssertionError when it fails or is late. */
  public static <T> T result(Future<T> future, long timeoutMs) {
    try {
      return future.await(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // The cause goes into the message too: a CI log shows the message, not the chained trace.
      throw new AssertionError(
          "a Vert.x operation failed or did not finish in " + timeoutMs + " ms: " + e, e);
    }
  }

  /** Runs {@code work} on {@code context} (where its clients live) and waits for its result. */
  public static <T> T onContext(Context context, Supplier<Future<T>> work, long timeoutMs) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(
        v -> {
          try {
            work.get().onComplete(promise);
          } catch (RuntimeException | AssertionError e) {
            promise.fail(e);
          }
        });
    return result(promise.future(), timeoutMs);
  }
}
