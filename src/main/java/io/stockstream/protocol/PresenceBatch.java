package io.stockstream.protocol;

import java.util.List;

/** The viewer counts that changed since the last check: one event-bus message for all of them. */
public record PresenceBatch(List<PresenceEvent> changes) {

  public PresenceBatch {
    changes = List.copyOf(changes);
  }
}
