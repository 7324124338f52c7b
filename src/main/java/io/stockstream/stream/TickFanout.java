package io.stockstream.stream;

import io.stockstream.protocol.Addresses;
import io.stockstream.protocol.TickBatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Takes each batch of ticks off the event bus once for the node and hands it to every web event
 * loop's bounded {@link TickInbox}: the bus carries one message per feed step, whatever the number
 * of loops, and no loop's backlog can grow without bound in the bus or in its task queue.
 */
public final class TickFanout extends VerticleBase {

  private final List<TickInbox> inboxes = new CopyOnWriteArrayList<>();

  @Override
  public Future<?> start() {
    return vertx
        .eventBus()
        .<TickBatch>localConsumer(Addresses.TICKS, m -> offer(m.body()))
        .completion();
  }

  private void offer(TickBatch batch) {
    for (TickInbox inbox : inboxes) {
      inbox.offer(batch);
    }
  }

  void register(TickInbox inbox) {
    inboxes.add(inbox);
  }

  void unregister(TickInbox inbox) {
    inboxes.remove(inbox);
  }
}
