package io.stockstream.protocol;

import java.util.List;

/**
 * The ticks the feed made in one step, in the order it made them: one event-bus message per step,
 * so that the cost of crossing to the web event loops is paid per step, not per tick.
 */
public record TickBatch(List<TickEvent> ticks) {

  public TickBatch {
    ticks = List.copyOf(ticks);
  }
}
