package io.stockstream.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Repeats an attempt on a Vert.x timer until its result is good or a deadline passes, for waits of
 * a minute or more (a real Prometheus scraping). Unlike {@link Eventually}, each attempt starts
 * from the timer, not from the previous attempt's future, so a long wait does not build a chain of
 * nested futures; and it waits {@code everyMs} between attempts rather than a few milliseconds.
 */
public final class Poller {

  private Poller() {}

  /**
   * Completes with the first result that satisfies {@code done}; at the deadline, completes with
   * the last result anyway (or the last failure), so that the caller's assertion says what was
   * wrong with it.
   */
  public static <T> Future<T> until(
      Vertx vertx, long timeoutMs, long everyMs, Supplier<Future<T>> attempt, Predicate<T> done) {
    Promise<T> result = Promise.promise();
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    tryOnce(vertx, deadline, everyMs, attempt, done, result);
    return result.future();
  }

  private static <T> void tryOnce(
      Vertx vertx,
      long deadline,
      long everyMs,
      Supplier<Future<T>> attempt,
      Predicate<T> done,
      Promise<T> result) {
    attempt
        .get()
        .onComplete(
            ar -> {
              boolean good = ar.succeeded() && done.test(ar.result());
              if (good || System.nanoTime() - deadline > 0) {
                if (ar.succeeded()) {
                  result.tryComplete(ar.result());
                } else {
                  result.tryFail(ar.cause());
                }
                return;
              }
              vertx.setTimer(
                  everyMs, t -> tryOnce(vertx, deadline, everyMs, attempt, done, result));
            });
  }
}
