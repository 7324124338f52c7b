package io.stockstream.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqTrackerTest {

  private final SeqTracker seqs = new SeqTracker(new int[] {7, 3});

  @Test
  void theFirstSeqOfASymbolIsItsBaseAndTheNextOneIsInOrder() {
    assertThat(seqs.observe(7, 100)).isZero();
    assertThat(seqs.observe(7, 101)).isZero();
    assertThat(seqs.observe(3, 5)).isZero();
    assertThat(seqs.observe(3, 6)).isZero();
  }

  @Test
  void aJumpCountsTheMissingSeqs() {
    seqs.observe(7, 10);
    assertThat(seqs.observe(7, 14)).isEqualTo(3);
    assertThat(seqs.observe(7, 15)).isZero();
  }

  @Test
  void aRepeatIsADuplicateAndALowerSeqIsOutOfOrderAndNeitherMovesTheLast() {
    seqs.observe(7, 10);
    assertThat(seqs.observe(7, 10)).isEqualTo(SeqTracker.DUPLICATE);
    assertThat(seqs.observe(7, 9)).isEqualTo(SeqTracker.OUT_OF_ORDER);
    assertThat(seqs.observe(7, 11)).isZero();
  }

  @Test
  void symbolsAreTrackedApart() {
    seqs.observe(7, 10);
    seqs.observe(3, 500);
    assertThat(seqs.observe(7, 11)).isZero();
    assertThat(seqs.observe(3, 502)).isEqualTo(1);
  }

  @Test
  void aSymbolNotSubscribedIsReported() {
    assertThat(seqs.observe(4, 1)).isEqualTo(SeqTracker.NOT_SUBSCRIBED);
    assertThat(seqs.subscriptions()).isEqualTo(2);
  }

  @Test
  void aCohortCountsEachVerdict() {
    Cohort c = new Cohort();
    c.tick(3, 0);
    c.tick(4, 2);
    c.tick(5, SeqTracker.DUPLICATE);
    c.tick(6, SeqTracker.OUT_OF_ORDER);
    c.tick(-2, SeqTracker.NOT_SUBSCRIBED);
    assertThat(c.ticks).isEqualTo(5);
    assertThat(c.gaps).isEqualTo(1);
    assertThat(c.missing).isEqualTo(2);
    assertThat(c.duplicates).isEqualTo(1);
    assertThat(c.outOfOrder).isEqualTo(1);
    assertThat(c.unknownSymbols).isEqualTo(1);
    assertThat(c.latencyMs.getMinValue()).as("a clock step back records 0").isZero();
  }
}
