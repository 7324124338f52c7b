package io.stockstream.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for a condition by polling it on a Vert.x timer until a deadline; never sleeps. */
public final class Eventually {

  public static final long TIMEOUT_MS = 10_000;
  private static final long EVERY_MS = 20;

  private Eventually() {}

  /** Completes once {@code condition} holds; fails naming {@code what} after 10 s. */
  public static Future<Void> eventually(Vertx vertx, String what, BooleanSupplier condition) {
    return eventually(vertx, what, TIMEOUT_MS, condition);
  }

  /** Completes once {@code condition} holds; fails naming {@code what} after {@code timeoutMs}. */
  public static Future<Void> eventually(
      Vertx vertx, String what, long timeoutMs, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    return poll(
            vertx, () -> Future.succeededFuture(condition.getAsBoolean()), b -> b, deadline, what)
        .mapEmpty();
  }

  /** Repeats {@code attempt} until its result satisfies {@code done}; fails after 10 s. */
  public static <T> Future<T> eventually(
      Vertx vertx, Supplier<Future<T>> attempt, Predicate<T> done) {
    return eventually(vertx, TIMEOUT_MS, attempt, done);
  }

  /** Repeats {@code attempt} until its result satisfies {@code done}; fails after the timeout. */
  public static <T> Future<T> eventually(
      Vertx vertx, long timeoutMs, Supplier<Future<T>> attempt, Predicate<T> done) {
    return poll(vertx, attempt, done, System.nanoTime() + timeoutMs * 1_000_000, null);
  }

  /**
   * Repeats {@code attempt} every {@code everyMs} until its result satisfies {@code done}; at the
   * deadline it completes with the last result anyway (or the last failure), so that the caller's
   * assertion says what was wrong with it. For long waits, such as a real Prometheus scraping.
   */
  public static <T> Future<T> settle(
      Vertx vertx, long timeoutMs, long everyMs, Supplier<Future<T>> attempt, Predicate<T> done) {
    Promise<T> result = Promise.promise();
    new Loop<>(vertx, attempt, done, System.nanoTime() + timeoutMs * 1_000_000, everyMs, result)
        .next(null);
    return result.future();
  }

  private static <T> Future<T> poll(
      Vertx vertx, Supplier<Future<T>> attempt, Predicate<T> done, long deadline, String what) {
    Promise<T> last = Promise.promise();
    new Loop<>(vertx, attempt, done, deadline, EVERY_MS, last).next(null);
    return last.future()
        .compose(
            r ->
                done.test(r)
                    ? Future.succeededFuture(r)
                    : Future.failedFuture(
                        new AssertionError(
                            "still not there at the deadline: " + (what != null ? what : r))));
  }

  /**
   * One attempt at a time, each started from a timer rather than from the previous attempt's
   * future, so that a wait of minutes does not build a chain of nested futures.
   */
  private record Loop<T>(
      Vertx vertx,
      Supplier<Future<T>> attempt,
      Predicate<T> done,
      long deadline,
      long everyMs,
      Promise<T> result) {

    void next(Long timerId) {
      attempt
          .get()
          .onComplete(
              ar -> {
                if ((ar.succeeded() && done.test(ar.result()))
                    || System.nanoTime() - deadline > 0) {
                  result.handle(ar);
                } else {
                  vertx.setTimer(everyMs, this::next);
                }
              });
    }
  }
}
