package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.protocol.TickBatch;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hand-over of batches to a web event loop, on a real Vert.x event loop: a loop that is busy
 * while the feed goes on holds at most a full inbox, hears once that it overflowed, and gets every
 * batch that fitted, in order, without a queued task per batch.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class TickInboxTest {

  private static final class Recorder implements TickInbox.Receiver {
    final List<TickBatch> batches = new CopyOnWriteArrayList<>();
    final AtomicInteger overflows = new AtomicInteger();
    final AtomicInteger drains = new AtomicInteger();

    @Override
    public void onBatch(TickBatch batch) {
      batches.add(batch);
    }

    @Override
    public void onOverflow() {
      overflows.incrementAndGet();
    }

    @Override
    public void onDrained() {
      drains.incrementAndGet();
    }
  }

  private static List<TickBatch> batches(int n) {
    return IntStream.range(0, n).mapToObj(i -> new TickBatch(List.of())).toList();
  }

  @Test
  void aBusyLoopHoldsAtMostAFullInboxAndHearsOnceThatItFellBehind(Vertx vertx, VertxTestContext ctx)
      throws InterruptedException {
    Context loop = vertx.getOrCreateContext();
    Recorder recorder = new Recorder();
    TickInbox inbox = new TickInbox(loop, recorder);
    List<TickBatch> offered = batches(TickInbox.CAPACITY + 500);
    // The loop is kept busy by a task that waits for the test: a loop that fell behind the feed.
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loop.runOnContext(
        v -> {
          busy.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
    offered.forEach(inbox::offer);
    release.countDown();
    eventually(vertx, "the inbox to be drained", () -> recorder.drains.get() >= 1)
        .map(
            v -> {
              assertThat(recorder.batches)
                  .as("what fitted, in order")
                  .containsExactlyElementsOf(offered.subList(0, TickInbox.CAPACITY));
              assertThat(recorder.overflows.get()).isEqualTo(1);
              // One drain task was queued for all of them, not one per batch.
              return assertThat(recorder.drains.get()).isEqualTo(1);
            })
        // The loop has caught up: what comes next is handed over as it comes, no overflow.
        .compose(
            v -> {
              inbox.offer(offered.get(0));
              return eventually(vertx, "the next batch", () -> recorder.drains.get() == 2);
            })
        .map(
            v -> {
              assertThat(recorder.batches).hasSize(TickInbox.CAPACITY + 1);
              return assertThat(recorder.overflows.get()).isEqualTo(1);
            })
        .onComplete(ctx.succeedingThenComplete());
  }
}
