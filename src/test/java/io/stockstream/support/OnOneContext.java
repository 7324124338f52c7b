package io.stockstream.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;
import java.util.function.Supplier;

/** Runs a test body on one Vert.x context, so that all its clients and callbacks share a thread. */
public final class OnOneContext {

  private OnOneContext() {}

  /** Runs the test on one Vert.x context, so that all clients and callbacks share one thread. */
  public static void run(Vertx vertx, VertxTestContext ctx, Supplier<Future<?>> body) {
    vertx
        .getOrCreateContext()
        .runOnContext(
            v -> {
              try {
                body.get().onComplete(ctx.succeedingThenComplete());
              } catch (Throwable t) {
                ctx.failNow(t);
              }
            });
  }

  /** Like {@link #run}, but the test completes only through its checkpoints. */
  public static void runToCheckpoints(Vertx vertx, VertxTestContext ctx, Supplier<Future<?>> body) {
    vertx
        .getOrCreateContext()
        .runOnContext(
            v -> {
              try {
                body.get().onFailure(ctx::failNow);
              } catch (Throwable t) {
                ctx.failNow(t);
              }
            });
  }
}
