package io.stockstream.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarketScheduleTest {

  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final long NOW = 1_732_200_000_000L;

  /** Epoch millis of a local time in New York; 2024-11-18 is a Monday. */
  private static long newYork(int year, int month, int day, int hour, int minute) {
    return ZonedDateTime.of(year, month, day, hour, minute, 0, 0, NEW_YORK)
        .toInstant()
        .toEpochMilli();
  }

  @ParameterizedTest
  @ValueSource(strings = {"always", "ALWAYS", "  Always  "})
  void alwaysIsOpenAtAnyTime(String text) {
    MarketSchedule s = MarketSchedule.parse(text, NOW);
    assertThat(s).isEqualTo(new MarketSchedule.Always());
    assertThat(s.isOpen(0)).isTrue();
    assertThat(s.isOpen(NOW)).isTrue();
    assertThat(s.isOpen(newYork(2024, 11, 23, 3, 0))).isTrue(); // a Saturday night
  }

  @Test
  void hoursParseWithZone() {
    MarketSchedule s = MarketSchedule.parse("09:30-16:00@America/New_York", NOW);
    assertThat(s)
        .isEqualTo(new MarketSchedule.Hours(LocalTime.of(9, 30), LocalTime.of(16, 0), NEW_YORK));
  }

  @Test
  void hoursWithoutZoneAreNewYorkTime() {
    MarketSchedule s = MarketSchedule.parse("09:30-16:00", NOW);
    assertThat(s)
        .isEqualTo(new MarketSchedule.Hours(LocalTime.of(9, 30), LocalTime.of(16, 0), NEW_YORK));
  }

  @Test
  void hoursAreOpenOnAWeekdayInsideTheSession() {
    MarketSchedule s = MarketSchedule.parse("09:30-16:00@America/New_York", NOW);
    // Monday 2024-11-18.
    assertThat(s.isOpen(newYork(2024, 11, 18, 9, 30))).as("at the open").isTrue();
    assertThat(s.isOpen(newYork(2024, 11, 18, 12, 0))).as("midday").isTrue();
    assertThat(s.isOpen(newYork(2024, 11, 18, 16, 0) - 1)).as("last ms").isTrue();
    // Friday 2024-11-22.
    assertThat(s.isOpen(newYork(2024, 11, 22, 15, 59))).as("Friday afternoon").isTrue();
  }

  @Test
  void hoursAreClosedOnAWeekdayOutsideTheSession() {
    MarketSchedule s = MarketSchedule.parse("09:30-16:00@America/New_York", NOW);
    assertThat(s.isOpen(newYork(2024, 11, 18, 9, 30) - 1)).as("just before the open").isFalse();
    assertThat(s.isOpen(newYork(2024, 11, 18, 16, 0))).as("at the close").isFalse();
    assertThat(s.isOpen(newYork(2024, 11, 18, 3, 0))).as("night").isFalse();
    assertThat(s.isOpen(newYork(2024, 11, 18, 20, 0))).as("evening").isFalse();
  }

  @Test
  void hoursAreClosedAtTheWeekend() {
    MarketSchedule s = MarketSchedule.parse("09:30-16:00@America/New_York", NOW);
    assertThat(s.isOpen(newYork(2024, 11, 23, 12, 0))).as("Saturday noon").isFalse();
    assertThat(s.isOpen(newYork(2024, 11, 24, 12, 0))).as("Sunday noon").isFalse();
  }

  @Test
  void hoursAreReadInTheirOwnZone() {
    // 10:00 in New York is 15:00 UTC in November (EST) and 14:00 UTC in July (EDT).
    MarketSchedule ny = MarketSchedule.parse("09:30-16:00@America/New_York", NOW);
    MarketSchedule utc = MarketSchedule.parse("09:30-16:00@UTC", NOW);
    long novemberTenNy = newYork(2024, 11, 18, 10, 0);
    long julyTenNy = newYork(2024, 7, 15, 10, 0);
    long novemberFivePmUtc =
        ZonedDateTime.of(2024, 11, 18, 17, 0, 0, 0, ZoneId.of("UTC")).toInstant().toEpochMilli();

    assertThat(ny.isOpen(novemberTenNy)).isTrue();
    assertThat(ny.isOpen(julyTenNy)).isTrue();
    assertThat(utc.isOpen(novemberTenNy)).isTrue(); // 15:00 UTC
    // 17:00 UTC is noon in New York, but after the close in UTC.
    assertThat(ny.isOpen(novemberFivePmUtc)).isTrue();
    assertThat(utc.isOpen(novemberFivePmUtc)).isFalse();
    // Monday 01:00 UTC is still Sunday evening in New York.
    long mondayOneUtc =
        ZonedDateTime.of(2024, 11, 18, 1, 0, 0, 0, ZoneId.of("UTC")).toInstant().toEpochMilli();
    MarketSchedule allDayUtc = MarketSchedule.parse("00:00-23:59@UTC", NOW);
    MarketSchedule allDayNy = MarketSchedule.parse("00:00-23:59@America/New_York", NOW);
    assertThat(allDayUtc.isOpen(mondayOneUtc)).isTrue();
    assertThat(allDayNy.isOpen(mondayOneUtc)).isFalse();
  }

  @Test
  void cycleIsOpenThenClosedFromItsStart() {
    MarketSchedule s = MarketSchedule.parse("cycle:300/200", NOW);
    assertThat(s).isEqualTo(new MarketSchedule.Cycle(300, 200, NOW));

    assertThat(s.isOpen(NOW)).as("start").isTrue();
    assertThat(s.isOpen(NOW + 299)).as("end of open phase").isTrue();
    assertThat(s.isOpen(NOW + 300)).as("start of closed phase").isFalse();
    assertThat(s.isOpen(NOW + 499)).as("end of closed phase").isFalse();
    assertThat(s.isOpen(NOW + 500)).as("second open phase").isTrue();
    assertThat(s.isOpen(NOW + 10 * 500 + 350)).as("eleventh closed phase").isFalse();
  }

  @Test
  void cycleRepeatsBackwardsInTimeToo() {
    MarketSchedule s = MarketSchedule.parse("cycle:300/200", NOW);
    assertThat(s.isOpen(NOW - 1)).isFalse();
    assertThat(s.isOpen(NOW - 200)).isFalse();
    assertThat(s.isOpen(NOW - 201)).isTrue();
  }

  @Test
  void cycleCountsOpenAndClosedTimeInTheLongRun() {
    MarketSchedule s = MarketSchedule.parse("cycle:30/70", NOW);
    int open = 0;
    for (long t = NOW; t < NOW + 10_000; t++) {
      open += s.isOpen(t) ? 1 : 0;
    }
    assertThat(open).isEqualTo(3_000);
  }

  @Test
  void cycleWithHugeClosedPhaseStaysClosed() {
    // open 1 ms, then closed for (practically) ever: the sum must not overflow into "open".
    MarketSchedule s;
    try {
      s = MarketSchedule.parse("cycle:1/" + Long.MAX_VALUE, NOW);
    } catch (RuntimeException rejected) {
      return; // refusing lengths that cannot be represented is fine too
    }
    assertThat(s.isOpen(NOW)).isTrue();
    assertThat(s.isOpen(NOW + 1)).isFalse();
    assertThat(s.isOpen(NOW + 86_400_000L)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "sometimes",
        "cycle:",
        "cycle:100",
        "cycle:100/",
        "cycle:1/2/3",
        "cycle:0/100",
        "cycle:100/0",
        "cycle:-5/100",
        "cycle:abc/100",
        "09:30",
        "9-16",
        "16:00-09:30",
        "09:30-09:30",
        "25:00-26:00",
        "09:30-16:00@Nowhere/City",
        "09:30-16:00@",
        "09:30-12:00-16:00"
      })
  void badSchedulesThrow(String text) {
    assertThatThrownBy(() -> MarketSchedule.parse(text, NOW)).isInstanceOf(RuntimeException.class);
  }
}
