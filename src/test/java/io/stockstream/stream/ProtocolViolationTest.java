package io.stockstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockstream.support.Await;
import io.stockstream.support.Eventually;
import io.stockstream.support.RawWebSocket;
import io.stockstream.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A peer that breaks RFC 6455 is closed with 1002, one that sends text that is not UTF-8 with 1007,
 * over real sockets; meanwhile an observer on the same node keeps receiving every tick, in order
 * and without a hole. The methods run in a set order, so that the observer's check comes after
 * every misbehaving peer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProtocolViolationTest {

  private static final String ERRORS = "stockstream_ws_disconnects_total{reason=\"error\"}";
  private static final Duration WITHIN = Duration.ofSeconds(10);

  private Vertx vertx;
  private TestNode node;
  private WebSocketClient client;
  private final List<Long> observed = new ArrayList<>();

  @BeforeAll
  void startNodeAndObserver() {
    vertx = Vertx.vertx();
    node =
        Await.result(
            TestNode.start(
                vertx,
                Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "10", "STOCKSTREAM_SYMBOLS", "AAPL,MSFT")));
    client = vertx.createWebSocketClient();
    WebSocket observer = Await.result(client.connect(node.port(), "127.0.0.1", "/ws?symbols=AAPL"));
    observer.textMessageHandler(
        text -> {
          JsonObject f = new JsonObject(text);
          if ("tick".equals(f.getString("type"))) {
            synchronized (observed) {
              observed.add(f.getLong("seq"));
            }
          }
        });
  }

  @AfterAll
  void stop() {
    Await.result(vertx.close());
  }

  static Stream<Arguments> violations() {
    byte[] ping = json("{\"op\":\"ping\"}");
    return Stream.of(
        violation("a reserved bit set", raw -> raw.sendFrame(true, 0b100, 1, true, ping)),
        violation("a reserved data opcode", raw -> raw.sendFrame(true, 0, 0x3, true, ping)),
        violation("a reserved control opcode", raw -> raw.sendFrame(true, 0, 0xB, true, ping)),
        violation("an unmasked client frame", raw -> raw.sendFrame(true, 0, 1, false, ping)),
        violation("a fragmented ping", raw -> raw.sendFrame(false, RawWebSocket.PING, new byte[1])),
        violation(
            "a ping over 125 bytes", raw -> raw.sendFrame(true, RawWebSocket.PING, new byte[126])),
        violation(
            "a continuation without a start",
            raw -> raw.sendFrame(true, RawWebSocket.CONTINUATION, ping)),
        violation(
            "a new text frame inside a fragmented message",
            raw -> {
              raw.sendFrame(false, RawWebSocket.TEXT, json("{\"op\":"));
              raw.sendFrame(true, RawWebSocket.TEXT, ping);
            }),
        violation(
            "a close frame with a one-byte payload",
            raw -> raw.sendFrame(true, RawWebSocket.CLOSE, new byte[] {3})));
  }

  static Stream<Arguments> invalidUtf8() {
    return Stream.of(
        violation("a lone continuation byte", raw -> raw.sendFrame(true, 1, bytes(0x80))),
        violation("a truncated sequence", raw -> raw.sendFrame(true, 1, bytes(0x7B, 0xE2, 0x82))),
        violation("an overlong encoding", raw -> raw.sendFrame(true, 1, bytes(0xC0, 0xAF))),
        violation("a UTF-16 surrogate", raw -> raw.sendFrame(true, 1, bytes(0xED, 0xA0, 0x80))),
        violation("a code point over U+10FFFF", raw -> raw.sendFrame(true, 1, bytes(0xF4, 0x90))),
        violation(
            "a sequence broken across fragments",
            raw -> {
              raw.sendFrame(false, RawWebSocket.TEXT, bytes(0x7B, 0xE2, 0x82));
              raw.sendFrame(true, RawWebSocket.CONTINUATION, bytes(0x28, 0x7D));
            }),
        violation(
            "invalid bytes in the last fragment",
            raw -> {
              raw.sendFrame(false, RawWebSocket.TEXT, json("{\"op\":\"ping\","));
              raw.sendFrame(false, RawWebSocket.CONTINUATION, json("\"ref\":\"ok\""));
              raw.sendFrame(true, RawWebSocket.CONTINUATION, bytes(0xFF, 0x7D));
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  @Order(1)
  void aFrameThatBreaksRfc6455ClosesWith1002(String what, Misbehaviour misbehaviour)
      throws Exception {
    assertClosedWith(1002, misbehaviour);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidUtf8")
  @Order(2)
  void textThatIsNotUtf8ClosesWith1007(String what, Misbehaviour misbehaviour) throws Exception {
    assertClosedWith(1007, misbehaviour);
  }

  @Test
  @Order(3)
  void validUtf8SplitInsideACharacterAcrossFragmentsIsAccepted() throws Exception {
    byte[] message = json("{\"op\":\"ping\",\"ref\":\"€ and 日本\"}");
    int inEuro = new String(message, StandardCharsets.UTF_8).indexOf('€') + 1;
    try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws")) {
      raw.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WITHIN);
      raw.sendFrame(false, RawWebSocket.TEXT, java.util.Arrays.copyOfRange(message, 0, inEuro));
      raw.sendFrame(
          true,
          RawWebSocket.CONTINUATION,
          java.util.Arrays.copyOfRange(message, inEuro, message.length));
      RawWebSocket.Frame pong =
          raw.readUntil(f -> f.isClose() || f.text().contains("pong"), WITHIN);
      assertThat(pong.isClose()).as(pong.toString()).isFalse();
      assertThat(new JsonObject(pong.text()).getString("ref")).isEqualTo("€ and 日本");
    }
  }

  @Test
  @Order(4)
  void aFragmentedMessageWhoseFirstFragmentsAreEmptyIsAnswered() throws Exception {
    try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws")) {
      raw.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WITHIN);
      raw.sendFrame(false, RawWebSocket.TEXT, new byte[0]);
      raw.sendFrame(false, RawWebSocket.CONTINUATION, new byte[0]);
      raw.sendFrame(false, RawWebSocket.CONTINUATION, json("{\"op\":\"ping\","));
      raw.sendFrame(true, RawWebSocket.CONTINUATION, json("\"ref\":\"after empty\"}"));
      RawWebSocket.Frame pong =
          raw.readUntil(f -> f.isClose() || f.text().contains("pong"), WITHIN);
      assertThat(pong.isClose()).as(pong.toString()).isFalse();
      assertThat(new JsonObject(pong.text()).getString("ref")).isEqualTo("after empty");

      // Only empty fragments make an empty message: not JSON, so a bad_request error.
      raw.sendFrame(false, RawWebSocket.TEXT, new byte[0]);
      raw.sendFrame(true, RawWebSocket.CONTINUATION, new byte[0]);
      RawWebSocket.Frame error =
          raw.readUntil(f -> f.isClose() || f.text().contains("\"error\""), WITHIN);
      assertThat(error.isClose()).as(error.toString()).isFalse();
      assertThat(new JsonObject(error.text()).getString("code")).isEqualTo("bad_request");
    }
  }

  @Test
  @Order(5)
  void nothingAfterInvalidUtf8IsAnsweredEvenWhenTheMessageGoesOn() throws Exception {
    try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws")) {
      raw.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WITHIN);
      raw.sendFrame(false, RawWebSocket.TEXT, json("{\"op\":\"ping\",\"ref\":\""));
      raw.sendFrame(false, RawWebSocket.CONTINUATION, bytes(0xED, 0xA0, 0x80));
      raw.sendFrame(true, RawWebSocket.CONTINUATION, json("\"}"));
      RawWebSocket.Frame close = raw.readUntilClose(WITHIN);
      assertThat(close.closeCode()).isEqualTo(1007);
      assertThat(raw.received()).noneMatch(f -> f.text().contains("pong"));
    }
  }

  @Test
  @Order(6)
  void theObserverMissedNoTickWhileOthersMisbehaved() throws Exception {
    // Last, so that the observer's seqs span every misbehaving peer of this class. It also
    // misbehaves once itself, so that it checks something when run alone.
    assertClosedWith(1002, raw -> raw.sendFrame(true, RawWebSocket.CONTINUATION, new byte[0]));
    long before = lastObserved();
    Await.result(
        Eventually.eventually(
            vertx,
            "the observer keeps receiving AAPL",
            10_000,
            () -> lastObserved() >= before + 20));
    List<Long> seqs;
    synchronized (observed) {
      seqs = List.copyOf(observed);
    }
    for (int i = 1; i < seqs.size(); i++) {
      assertThat(seqs.get(i))
          .as("AAPL seq after %d", seqs.get(i - 1))
          .isEqualTo(seqs.get(i - 1) + 1);
    }
  }

  /** Connects, misbehaves, and expects the close code, then the end of the TCP connection. */
  private void assertClosedWith(int code, Misbehaviour misbehaviour) throws Exception {
    double errorsBefore = node.metric(ERRORS);
    try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws")) {
      raw.readUntil(f -> f.opcode() == RawWebSocket.TEXT, WITHIN);
      misbehaviour.run(raw);
      RawWebSocket.Frame close;
      try {
        close = raw.readUntilClose(WITHIN);
      } catch (EOFException e) {
        throw new AssertionError("TCP closed without a close frame after " + raw.received(), e);
      }
      assertThat(close.closeCode()).as(close.toString()).isEqualTo(code);
      assertTcpEnds(raw);
    }
    Await.result(
        Eventually.eventually(
            vertx,
            "the disconnect is counted as an error",
            10_000,
            () -> node.metric(ERRORS) >= errorsBefore + 1));
  }

  /** After its close frame the server ends the TCP connection, at the latest after its timeout. */
  private static void assertTcpEnds(RawWebSocket raw) throws IOException {
    long deadline =
        System.nanoTime() + Duration.ofSeconds(WebSocketOptions.CLOSING_TIMEOUT_S + 5).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        raw.readFrame();
      } catch (EOFException | SocketException ended) {
        return;
      } catch (java.net.SocketTimeoutException stillOpen) {
        // keep waiting until the deadline
      }
    }
    throw new AssertionError("the server kept the TCP connection open after its close frame");
  }

  private long lastObserved() {
    synchronized (observed) {
      return observed.isEmpty() ? 0 : observed.get(observed.size() - 1);
    }
  }

  /** What a misbehaving peer sends after its welcome. */
  interface Misbehaviour {
    void run(RawWebSocket raw) throws IOException;
  }

  private static Arguments violation(String what, Misbehaviour m) {
    return Arguments.of(what, m);
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }
}
