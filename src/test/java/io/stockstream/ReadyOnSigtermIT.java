package io.stockstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Exposition;
import io.stockstream.support.RawWebSocket;
import io.stockstream.support.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On SIGTERM the real process turns not-ready at once: within a moment of the signal, and from the
 * moment it logs it, while it drains a connection that never answers the close, {@code
 * /health/ready} answers 503 (or nothing, once the port is gone) and never 200 again, and {@code
 * stockstream_ready} reads 0.
 */
class ReadyOnSigtermIT {

  private static final String SHUTTING_DOWN = "shutting down";
  private final List<String> early = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private ServiceProcess process;

  @AfterEach
  void stop() {
    if (process != null) {
      process.close();
    }
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(2))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readinessIs503FromSigtermUntilExitAndNever200Again() throws Exception {
    process =
        ServiceProcess.start(
            Map.of("STOCKSTREAM_HTTP_PORT", "0", "STOCKSTREAM_MANAGEMENT_PORT", "0"));
    int mgmt = process.managementPort();
    // The control: ready before the signal.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int status = 0;
    while (status != 200 && System.nanoTime() < deadline) {
      try {
        status = get(mgmt, "/health/ready").statusCode();
      } catch (IOException slowStart) {
        // a JVM starting on a loaded machine may be late to answer
      }
    }
    assertThat(status).as("ready before SIGTERM").isEqualTo(200);
    assertThat(Exposition.value(get(mgmt, "/metrics").body(), "stockstream_ready")).isEqualTo(1.0);

    // A client that never answers the server's close holds the drain open for its wait.
    try (RawWebSocket silent =
        RawWebSocket.connect("127.0.0.1", process.publicPort(), "/ws", Duration.ofSeconds(10))) {
      silent.readUntil(f -> f.text().contains("\"welcome\""), Duration.ofSeconds(10));

      long signalled = System.nanoTime();
      process.terminate();
      // The signal reaches the JVM's handler a moment after kill(2) returns: an answer to a
      // request sent before the node logged the signal may still be 200. From the log line on,
      // none may be; and the first 503 must come soon after the signal.
      List<String> seen = new ArrayList<>();
      Double readyGauge = null;
      Long firstNotReadyMs = null;
      boolean exited = false;
      while (!exited) {
        boolean heard = process.output().contains(SHUTTING_DOWN);
        String answer;
        try {
          HttpResponse<String> r = get(mgmt, "/health/ready");
          answer = String.valueOf(r.statusCode());
          if (readyGauge == null && r.statusCode() == 503) {
            readyGauge = Exposition.value(get(mgmt, "/metrics").body(), "stockstream_ready");
          }
        } catch (IOException refusedResetOrLate) {
          // Any answer but 200 is not-ready; no answer at all is, too.
          answer = "no answer";
        }
        if (heard) {
          seen.add(answer);
        } else {
          early.add(answer);
        }
        if (firstNotReadyMs == null && !answer.equals("200")) {
          firstNotReadyMs = (System.nanoTime() - signalled) / 1_000_000;
        }
        try {
          process.waitForExit(Duration.ofMillis(20));
          exited = true;
        } catch (IllegalStateException stillRunning) {
          // drains on
        }
      }
      System.out.println(
          "readiness after SIGTERM: before the log line "
              + summary(early)
              + "; after it "
              + summary(seen)
              + "; first not-ready after "
              + firstNotReadyMs
              + " ms");
      assertThat(firstNotReadyMs).as("ms from SIGTERM to not-ready").isNotNull().isLessThan(2_000);
      assertThat(seen).as("answers after the node logged SIGTERM").doesNotContain("200");
      assertThat(seen).as("answers before the exit").contains("503");
      assertThat(seen).allMatch(s -> s.equals("503") || s.equals("no answer"));
      assertThat(readyGauge).as("stockstream_ready while draining").isEqualTo(0.0);
      // And the silent client was told, then closed with 1001.
      assertThat(silent.readUntilClose(Duration.ofSeconds(5)).closeCode()).isEqualTo(1001);
      assertThat(silent.received()).anyMatch(f -> f.text().contains("\"draining\""));
    }
  }

  /** Runs of equal answers, e.g. {@code 503 x41, no answer x2}. */
  private static String summary(List<String> seen) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < seen.size(); ) {
      int j = i;
      while (j < seen.size() && seen.get(j).equals(seen.get(i))) {
        j++;
      }
      sb.append(sb.length() == 0 ? "" : ", ").append(seen.get(i)).append(" x").append(j - i);
      i = j;
    }
    return sb.toString();
  }
}
