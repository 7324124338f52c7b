package io.stockstream.stream;

import io.stockstream.protocol.TickBatch;
import io.vertx.core.Context;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.SpscArrayQueue;

/**
 * The bounded hand-over of the feed's batches to one web event loop. At most {@link #CAPACITY}
 * batches wait and at most one drain task sits in the loop's task queue, so a loop that falls
 * behind holds a bounded amount of memory; batches that find the inbox full are dropped, and the
 * loop then goes on from the newest tick of each symbol ({@link Receiver#onOverflow}).
 */
final class TickInbox {

  /** At the feed's shortest step (1 ms) a second of backlog; at the default step, 20 s. */
  static final int CAPACITY = 1024;

  /** What the loop does with what it is handed, on the loop. */
  interface Receiver {
    void onBatch(TickBatch batch);

    /** Some batches were dropped since the last drain: catch up from the market's latest ticks. */
    void onOverflow();

    /** Every batch of this drain was handed over. */
    void onDrained();
  }

  private final Context loop;
  private final Receiver receiver;
  private final SpscArrayQueue<TickBatch> batches = new SpscArrayQueue<>(CAPACITY);
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean overflowed;

  TickInbox(Context loop, Receiver receiver) {
    this.loop = loop;
    this.receiver = receiver;
  }

  /** Called by the node's one fan-out thread only (the queue has a single producer). */
  void offer(TickBatch batch) {
    if (!batches.offer(batch)) {
      overflowed = true;
    }
    if (scheduled.compareAndSet(false, true)) {
      loop.runOnContext(v -> drain());
    }
  }

  private void drain() {
    // Cleared first: whatever is offered from now on schedules the next drain.
    scheduled.set(false);
    // No more than a full inbox per task, so that the loop's other work is never starved.
    for (int i = 0; i < CAPACITY; i++) {
      TickBatch batch = batches.poll();
      if (batch == null) {
        break;
      }
      receiver.onBatch(batch);
    }
    if (overflowed) {
      overflowed = false;
      receiver.onOverflow();
    }
    receiver.onDrained();
    if (!batches.isEmpty() && scheduled.compareAndSet(false, true)) {
      loop.runOnContext(v -> drain());
    }
  }
}
