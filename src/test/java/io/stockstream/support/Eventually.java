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

  /**
   * Completes once {@code condition} holds; fails naming {@code what} after {@code timeoutMs}, or
   * at once, with the exception as its cause, when {@code condition} throws.
   */
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

  /**
   * Repeats {@code attempt} until its result satisfies {@code done}; fails after the timeout (with
   * the last failure of {@code attempt}, if it failed), or at once when {@code attempt} or {@code
   * done} throws.
   */
  public static <T> Future<T> eventually(
      Vertx vertx, long timeoutMs, Supplier<Future<T>> attempt, Predicate<T> done) {
    return poll(vertx, attempt, done, System.nanoTime() + timeoutMs * 1_000_000, null);
  }

  /**
   * Repeats {@code attempt} every {@code everyMs} until its result satisfies {@code done}; at the
   * deadline it completes with the last result anyway (or the last failure), so that the caller's
   * assertion says what was wrong with it. For long waits, such as a real Prometheus scraping. A
   * throwing {@code attempt} or {@code done} fails it at once.
   */
  public static <T> Future<T> settle(
      Vertx vertx, long timeoutMs, long everyMs, Supplier<Future<T>> attempt, Predicate<T> done) {
    Promise<T> result = Promise.promise();
    new Loop<>(
            vertx,
            attempt,
            done,
            System.nanoTime() + timeoutMs * 1_000_000,
            everyMs,
            null,
            true,
            result)
        .next(null);
    return result.future();
  }

  private static <T> Future<T> poll(
      Vertx vertx, Supplier<Future<T>> attempt, Predicate<T> done, long deadline, String what) {
    Promise<T> result = Promise.promise();
    new Loop<>(vertx, attempt, done, deadline, EVERY_MS, what, false, result).next(null);
    return result.future();
  }

  /**
   * One attempt at a time, each started from a timer rather than from the previous attempt's
   * future, so that a wait of minutes does not build a chain of nested futures. With {@code
   * settle}, the deadline gives the last outcome as it is; without, a last result that is not
   * {@code done} fails the wait naming {@code what} (or the result). A throw from {@code attempt}
   * or {@code done} ends the wait at once: waiting on would only hide it until the deadline.
   */
  private record Loop<T>(
      Vertx vertx,
      Supplier<Future<T>> attempt,
      Predicate<T> done,
      long deadline,
      long everyMs,
      String what,
      boolean settle,
      Promise<T> result) {

    void next(Long timerId) {
      Future<T> outcome;
      try {
        outcome = attempt.get();
        if (outcome == null) {
          throw new NullPointerException("the attempt returned no future");
        }
      } catch (Throwable e) {
        result.fail(threw(what != null ? "condition" : "attempt", e));
        return;
      }
      outcome.onComplete(
          ar -> {
            boolean ok;
            try {
              ok = ar.succeeded() && done.test(ar.result());
            } catch (Throwable e) {
              result.fail(threw("test of the result " + ar.result(), e));
              return;
            }
            if (ok) {
              result.complete(ar.result());
            } else if (System.nanoTime() - deadline <= 0) {
              vertx.setTimer(everyMs, this::next);
            } else if (settle || ar.failed()) {
              result.handle(ar);
            } else {
              result.fail(
                  new AssertionError(
                      "still not there at the deadline: " + (what != null ? what : ar.result())));
            }
          });
    }

    private AssertionError threw(String which, Throwable e) {
      return new AssertionError(
          (what != null ? what : "waiting") + ": the " + which + " threw " + e, e);
    }
  }
}
