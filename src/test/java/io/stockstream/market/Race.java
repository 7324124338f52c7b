package io.stockstream.market;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/** Two reader threads racing the test's own thread as the one writer, for the seqlock tests. */
final class Race {

  private Race() {}

  /**
   * Runs {@code read} over and over on two threads while {@code write} runs on this one, then gives
   * each reader's sum of what {@code read} returned (the reads it found whole); an assertion that
   * fails in a reader fails the race.
   */
  static List<Long> readWhile(LongSupplier read, Runnable write) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<CompletableFuture<Long>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(
            CompletableFuture.supplyAsync(
                () -> {
                  long whole = 0;
                  while (!done.get()) {
                    whole += read.getAsLong();
                  }
                  return whole;
                },
                threads));
      }
      try {
        write.run();
      } finally {
        done.set(true);
      }
      List<Long> whole = new ArrayList<>();
      for (CompletableFuture<Long> reader : readers) {
        whole.add(reader.get(30, TimeUnit.SECONDS));
      }
      return whole;
    } finally {
      threads.shutdownNow();
    }
  }
}
