package io.stockstream.market;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** When the simulated market is open: always, on weekday trading hours, or in a repeating cycle. */
public sealed interface MarketSchedule {

  boolean isOpen(long epochMillis);

  /** The default: the market never closes. */
  record Always() implements MarketSchedule {
    @Override
    public boolean isOpen(long epochMillis) {
      return true;
    }
  }

  /** Open from {@code open} to {@code close} local time, Monday to Friday. */
  record Hours(LocalTime open, LocalTime close, ZoneId zone) implements MarketSchedule {
    @Override
    public boolean isOpen(long epochMillis) {
      ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(zone);
      DayOfWeek day = t.getDayOfWeek();
      if (day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY) {
        return false;
      }
      LocalTime time = t.toLocalTime();
      return !time.isBefore(open) && time.isBefore(close);
    }
  }

  /** Open for {@code openMs}, then closed for {@code closedMs}, counted from {@code startMs}. */
  record Cycle(long openMs, long closedMs, long startMs) implements MarketSchedule {
    @Override
    public boolean isOpen(long epochMillis) {
      long phase = Math.floorMod(epochMillis - startMs, openMs + closedMs);
      return phase < openMs;
    }
  }

  static MarketSchedule parse(String text, long nowMillis) {
    String s = text.trim();
    if (s.equalsIgnoreCase("always")) {
      return new Always();
    }
    if (s.startsWith("cycle:")) {
      String[] parts = s.substring("cycle:".length()).split("/", -1);
      if (parts.length != 2) {
        throw new IllegalArgumentException("expected cycle:OPEN_MS/CLOSED_MS");
      }
      long open = Long.parseLong(parts[0].trim());
      long closed = Long.parseLong(parts[1].trim());
      if (open < 1 || closed < 1) {
        throw new IllegalArgumentException("cycle lengths must be at least 1 ms");
      }
      if (open > Long.MAX_VALUE - closed) {
        // isOpen() takes the time modulo open + closed, which must not overflow.
        throw new IllegalArgumentException("cycle is too long");
      }
      return new Cycle(open, closed, nowMillis);
    }
    int at = s.indexOf('@');
    String range = at < 0 ? s : s.substring(0, at);
    ZoneId zone = at < 0 ? ZoneId.of("America/New_York") : ZoneId.of(s.substring(at + 1).trim());
    String[] bounds = range.split("-", -1);
    if (bounds.length != 2) {
      throw new IllegalArgumentException(
          "expected always, HH:MM-HH:MM[@Zone] or cycle:OPEN/CLOSED");
    }
    LocalTime open = LocalTime.parse(bounds[0].trim());
    LocalTime close = LocalTime.parse(bounds[1].trim());
    if (!open.isBefore(close)) {
      throw new IllegalArgumentException("the market must open before it closes");
    }
    return new Hours(open, close, zone);
  }
}
