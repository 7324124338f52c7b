package io.stockstream.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameScannerTest {

  private static final String TICK =
      "{\"type\":\"tick\",\"symbol\":\"AAPL\",\"seq\":1042,\"price\":189.23,\"open\":187.10,"
          + "\"high\":190.02,\"low\":186.55,\"change\":2.13,\"changePct\":1.14,"
          + "\"volume\":1234567,\"ts\":1732200000123}";

  private final FrameScanner scanner = new FrameScanner();

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private String symbol(byte[] b) {
    return new String(b, scanner.symbolStart, scanner.symbolLength, StandardCharsets.US_ASCII);
  }

  @Test
  void readsTheFourFieldsOfAContractTick() {
    byte[] b = bytes(TICK);
    assertThat(scanner.scan(b, 0, b.length)).isEqualTo(b.length);
    assertThat(scanner.type).isEqualTo(FrameScanner.TICK);
    assertThat(symbol(b)).isEqualTo("AAPL");
    assertThat(scanner.seq).isEqualTo(1042);
    assertThat(scanner.ts).isEqualTo(1732200000123L);
  }

  @Test
  void keyOrderAndBlanksDoNotMatter() {
    byte[] b =
        bytes(
            " {\n \"ts\" : 17 , \"price\":-1.5e3,\"nested\":{\"seq\":99,\"type\":\"welcome\"},"
                + "\"seq\":5,\"symbol\":\"BRK.B\",\"type\" :\"tick\"}");
    assertThat(scanner.scan(b, 0, b.length)).isEqualTo(b.length);
    assertThat(scanner.type).isEqualTo(FrameScanner.TICK);
    assertThat(symbol(b)).isEqualTo("BRK.B");
    assertThat(scanner.seq).isEqualTo(5);
    assertThat(scanner.ts).isEqualTo(17);
  }

  @Test
  void stringsWithEscapedQuotesAndBracketsAreSkippedWhole() {
    byte[] b =
        bytes("{\"type\":\"error\",\"message\":\"a \\\"}]{ quote\",\"code\":\"x\",\"seq\":3}");
    assertThat(scanner.scan(b, 0, b.length)).isEqualTo(b.length);
    assertThat(scanner.type).isEqualTo(FrameScanner.OTHER);
    assertThat(scanner.seq).isEqualTo(3);
  }

  @Test
  void otherFramesAreRecognisedOrLeftAsOther() {
    byte[] welcome =
        bytes(
            "{\"type\":\"welcome\",\"protocol\":1,\"connectionId\":\"c1\",\"epoch\":\"e\","
                + "\"serverTime\":1,\"symbols\":[\"AAPL\",\"MSFT\"],\"market\":\"open\"}");
    scanner.scan(welcome, 0, welcome.length);
    assertThat(scanner.type).isEqualTo(FrameScanner.WELCOME);
    assertThat(FrameScanner.strings(welcome, scanner.symbolsStart, welcome.length))
        .containsExactly("AAPL", "MSFT");

    byte[] presence = bytes("{\"type\":\"presence\",\"symbol\":\"AAPL\",\"viewers\":12}");
    scanner.scan(presence, 0, presence.length);
    assertThat(scanner.type).isEqualTo(FrameScanner.OTHER);
    assertThat(scanner.seq).isEqualTo(-1);
    assertThat(scanner.ts).isEqualTo(-1);
  }

  @Test
  void aSubscribedSnapshotIsFoundAndItsTicksScanInPlace() {
    byte[] b =
        bytes("{\"type\":\"subscribed\",\"symbols\":[\"AAPL\"],\"snapshot\":[" + TICK + "]}");
    scanner.scan(b, 0, b.length);
    assertThat(scanner.type).isEqualTo(FrameScanner.SUBSCRIBED);
    int at = scanner.snapshotStart;
    assertThat(new String(b, at, 2, StandardCharsets.US_ASCII)).isEqualTo("[{");
    assertThat(new String(b, scanner.symbolsStart, 2, StandardCharsets.US_ASCII)).isEqualTo("[\"");
    assertThat(scanner.scan(b, at + 1, b.length)).isPositive();
    assertThat(scanner.seq).isEqualTo(1042);
  }

  @Test
  void truncatedOrNonObjectInputIsRefusedWithoutLeavingTheBounds() {
    byte[] b = bytes(TICK);
    for (int end = 0; end < b.length; end++) {
      assertThat(scanner.scan(b, 0, end)).as("cut at %d", end).isEqualTo(-1);
    }
    for (String bad : new String[] {"[1,2]", "\"tick\"", "{\"type\"}", "{\"a\":1 \"b\":2}", ""}) {
      byte[] x = bytes(bad);
      assertThat(scanner.scan(x, 0, x.length)).as(bad).isEqualTo(-1);
    }
  }

  @Test
  void scanningMakesNoObjects() {
    byte[] b = bytes(TICK);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (int i = 0; i < 200_000; i++) { // warm up, so that the JIT has compiled what is measured
      scanner.scan(b, 0, b.length);
      sum += scanner.seq;
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 1_000_000; i++) {
      scanner.scan(b, 0, b.length);
      sum += scanner.seq;
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(sum).isPositive();
    assertThat(allocated).as("bytes allocated by a million scans").isLessThan(10_000);
  }
}
