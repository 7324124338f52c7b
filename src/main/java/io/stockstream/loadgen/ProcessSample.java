package io.stockstream.loadgen;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time and resident memory of a process at one instant: this one (through the JVM), or a server
 * on the same machine (through {@code /proc}, Linux only).
 *
 * @param cpuNanos user plus system time, -1 when unknown
 * @param rssKb resident set size, -1 when unknown
 */
record ProcessSample(long cpuNanos, long rssKb) {

  /** Linux's USER_HZ, which {@code /proc/PID/stat} counts in; 100 on every mainstream kernel. */
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  static ProcessSample self() {
    long cpu = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      cpu = os.getProcessCpuTime();
    }
    if (cpu < 0) {
      cpu = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }
    return new ProcessSample(cpu, rss(ProcessHandle.current().pid()));
  }

  static ProcessSample of(long pid) {
    long cpu = -1;
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name, field 2, is in parentheses and may hold spaces: count from after it.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      cpu = ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      // Gone, or not Linux: unknown.
    }
    return new ProcessSample(cpu, rss(pid));
  }

  private static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unknown.
    }
    return -1;
  }
}
