package io.stockstream.support;

import io.vertx.core.Future;
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

  private static <T> Future<T> poll(
      Vertx vertx, Supplier<Future<T>> attempt, Predicate<T> done, long deadline, String what) {
    return attempt
        .get()
        .transform(
            ar -> {
              if (ar.succeeded() && done.test(ar.result())) {
                return Future.succeededFuture(ar.result());
              }
              if (System.nanoTime() - deadline > 0) {
                return Future.failedFuture(
                    ar.failed()
                        ? ar.cause()
                        : new AssertionError(
                            "still not there at the deadline: "
                                + (what != null ? what : ar.result())));
              }
              return vertx.timer(EVERY_MS).compose(t -> poll(vertx, attempt, done, deadline, what));
            });
  }
}
