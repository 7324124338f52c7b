package io.stockstream.loadgen;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;

/**
 * The load generator's entry point: parses the flags, runs, prints the JSON summary on stdout
 * (progress went to stderr), and exits 0, 1 when the run could not be made, 2 for bad flags.
 *
 * <pre>
 * java -cp target/stockstream.jar io.stockstream.loadgen.LoadGenerator \
 *     --url ws://localhost:8080/ws --connections 10000 --subscriptions 5 --rate 2000 \
 *     --tick-interval-ms 500 --warmup 5s --duration 15s
 * </pre>
 */
public final class LoadGenerator {

  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  private LoadGenerator() {}

  public static void main(String[] args) {
    // Netty would log through the service's logback, whose appender is stdout: keep stdout JSON.
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    if (Options.wantsHelp(args)) {
      System.out.println(Options.USAGE);
      return;
    }
    System.exit(run(args, System.out, System.err));
  }

  /** Runs with {@code args}, the summary to {@code out}; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream log) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (Options.Invalid e) {
      log.println("loadgen: " + e.getMessage());
      return EXIT_USAGE;
    }
    try {
      JsonObject summary = run(options, log);
      String text = summary.encodePrettily();
      out.println(text);
      out.flush();
      if (options.out() != null) {
        Files.writeString(options.out(), text + "\n");
      }
      return 0;
    } catch (Options.Invalid e) {
      log.println("loadgen: " + e.getMessage());
      return EXIT_USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.println("loadgen: interrupted");
      return EXIT_FAILED;
    } catch (IOException | RuntimeException e) {
      log.println("loadgen: " + e.getMessage());
      return EXIT_FAILED;
    } catch (Exception e) {
      log.println("loadgen: " + e);
      return EXIT_FAILED;
    }
  }

  /** The rehearsals, then the run with parsed options; the run's summary as JSON. */
  public static JsonObject run(Options options, PrintStream log) throws Exception {
    for (int i = 1; i <= options.rehearsals(); i++) {
      log.printf("loadgen: rehearsal %d of %d, not reported%n", i, options.rehearsals());
      new LoadRun(options, log).run();
    }
    return Summary.of(new LoadRun(options, log).run());
  }
}
