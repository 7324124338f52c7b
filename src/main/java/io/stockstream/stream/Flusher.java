package io.stockstream.stream;

import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections of one event loop that were written to since their last flush. Each is flushed
 * once, at the end of the loop's current piece of work, so that every frame that reached a socket
 * in it (the ticks of a feed step, a reply and its replay) leaves in one syscall.
 */
final class Flusher {

  private final Context loop;
  private final List<Connection> unflushed = new ArrayList<>();
  private boolean scheduled;

  Flusher(Context loop) {
    this.loop = loop;
  }

  /** Remembers a connection that {@link Connection#write} told was written to afresh. */
  void written(Connection c) {
    unflushed.add(c);
  }

  /** Flushes every connection written to since the last flush. */
  void flushNow() {
    for (int i = 0; i < unflushed.size(); i++) {
      unflushed.get(i).flush();
    }
    unflushed.clear();
  }

  /** Flushes once the loop has done what it is doing now: for writes outside a feed step. */
  void flushSoon() {
    if (!scheduled && !unflushed.isEmpty()) {
      scheduled = true;
      loop.runOnContext(
          v -> {
            scheduled = false;
            flushNow();
          });
    }
  }
}
