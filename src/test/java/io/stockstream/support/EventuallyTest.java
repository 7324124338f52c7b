package io.stockstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Eventually ends a wait when its condition holds, at the deadline, or at once when it throws. */
class EventuallyTest {

  private static final long LONG_MS = 60_000;

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** The failure of {@code f}, which must come well before {@code LONG_MS}. */
  private static Throwable failure(Future<?> f) {
    try {
      f.await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the wait did not end", e);
    } catch (Throwable e) {
      return e;
    }
    throw new AssertionError("the wait succeeded");
  }

  @Test
  void aConditionThatThrowsFailsTheWaitAtOnceWithItsCause() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    AtomicInteger calls = new AtomicInteger();
    Throwable e =
        failure(
            Eventually.eventually(
                vertx,
                "the third call",
                LONG_MS,
                () -> {
                  if (calls.incrementAndGet() == 3) {
                    throw boom;
                  }
                  return false;
                }));
    assertThat(e).isInstanceOf(AssertionError.class).hasMessageContaining("the third call");
    assertThat(e).hasCause(boom);
    assertThat(calls).hasValue(3);
  }

  @Test
  void anAttemptThatThrowsOrATestThatThrowsFailsTheWaitAtOnce() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    Throwable attempt =
        failure(
            Eventually.<Integer>eventually(
                vertx,
                LONG_MS,
                () -> {
                  throw boom;
                },
                x -> true));
    assertThat(attempt).hasCause(boom);
    Throwable test =
        failure(
            Eventually.settle(
                vertx,
                LONG_MS,
                20,
                () -> Future.succeededFuture(1),
                x -> {
                  throw boom;
                }));
    assertThat(test).hasCause(boom);
  }

  @Test
  void aConditionThatBecomesTrueEndsTheWait() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Eventually.eventually(vertx, "the fifth call", LONG_MS, () -> calls.incrementAndGet() >= 5)
        .await(10, TimeUnit.SECONDS);
    assertThat(calls).hasValue(5);
  }

  @Test
  void aConditionThatNeverHoldsFailsAtTheDeadlineNamingWhat() throws Exception {
    Throwable e = failure(Eventually.eventually(vertx, "the impossible", 200, () -> false));
    assertThat(e)
        .isInstanceOf(AssertionError.class)
        .hasMessage("still not there at the deadline: the impossible");
  }
}
