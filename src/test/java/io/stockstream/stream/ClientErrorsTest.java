package io.stockstream.stream;

import static io.stockstream.support.Eventually.eventually;
import static io.stockstream.support.Frames.ping;
import static io.stockstream.support.Frames.seqs;
import static io.stockstream.support.Frames.tickAtLeast;
import static io.stockstream.support.Frames.types;
import static io.stockstream.support.OnOneContext.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.stockstream.support.RawWebSocket;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the server does with frames it cannot serve: an {@code error} and the connection stays open,
 * or, for frames over the size limit and for persistent flooding, a close with the documented code.
 * Every case also checks that another client keeps receiving ticks.
 */
@ExtendWith(VertxExtension.class)
class ClientErrorsTest {

  private static final String ABUSE = "stockstream_ws_disconnects_total{reason=\"abuse\"}";
  private static final String SUBSCRIPTIONS = "stockstream_ws_subscriptions";
  private static final int LIMIT = 64 * 1024;

  /** Marks a malformed frame that carries no ref, so the error must carry none either. */
  private static final String NO_REF = "<no ref>";

  private static final Map<String, String> ENV =
      Map.of(
          "STOCKSTREAM_TICK_INTERVAL_MS", "10",
          "STOCKSTREAM_SYMBOLS", "AAPL,MSFT",
          // these tests send many frames on purpose; only the rate-limit tests lower this
          "STOCKSTREAM_RATE_LIMIT_BURST", "1000");

  static Stream<Arguments> malformedFrames() {
    String sub = "{\"op\":\"subscribe\",\"symbols\":[\"AAPL\"],";
    return Stream.of(
        arguments("not JSON", "{\"op\":\"ping\"", NO_REF),
        arguments("plain text", "hello", NO_REF),
        arguments("an empty frame", "", NO_REF),
        arguments("a JSON array", "[{\"op\":\"ping\",\"ref\":1}]", NO_REF),
        arguments("a JSON string", "\"ping\"", NO_REF),
        arguments("a JSON number", "42", NO_REF),
        arguments("JSON null", "null", NO_REF),
        arguments("missing op", "{\"ref\":1,\"symbols\":[\"AAPL\"]}", 1),
        arguments("op a number", "{\"op\":7,\"ref\":2}", 2),
        arguments("op null", "{\"op\":null,\"ref\":\"n\"}", "n"),
        arguments("op an object", "{\"op\":{\"name\":\"ping\"},\"ref\":3}", 3),
        arguments("symbols missing", "{\"op\":\"subscribe\",\"ref\":4}", 4),
        arguments("symbols empty", "{\"op\":\"subscribe\",\"symbols\":[],\"ref\":5}", 5),
        arguments("symbols not strings", "{\"op\":\"subscribe\",\"symbols\":[1,2],\"ref\":6}", 6),
        arguments(
            "symbols mixing strings and null",
            "{\"op\":\"subscribe\",\"symbols\":[\"AAPL\",null],\"ref\":7}",
            7),
        arguments("symbols a string", "{\"op\":\"subscribe\",\"symbols\":\"AAPL\",\"ref\":8}", 8),
        arguments(
            "symbols a blank string", "{\"op\":\"subscribe\",\"symbols\":[\" \"],\"ref\":9}", 9),
        arguments("unsubscribe without symbols", "{\"op\":\"unsubscribe\",\"ref\":10}", 10),
        arguments("since a number", sub + "\"since\":5,\"ref\":11}", 11),
        arguments("since an array", sub + "\"since\":[5],\"ref\":12}", 12),
        arguments("since value negative", sub + "\"since\":{\"AAPL\":-1},\"ref\":13}", 13),
        arguments("since value fractional", sub + "\"since\":{\"AAPL\":1.5},\"ref\":14}", 14),
        arguments("since value a string", sub + "\"since\":{\"AAPL\":\"5\"},\"ref\":15}", 15),
        arguments("since value null", sub + "\"since\":{\"AAPL\":null},\"ref\":16}", 16),
        arguments("epoch a number", sub + "\"epoch\":5,\"ref\":17}", 17),
        arguments("epoch an object", sub + "\"epoch\":{},\"ref\":\"e\"}", "e"),
        arguments(
            "nested 5000 deep",
            "{\"op\":\"ping\",\"ref\":" + "[".repeat(5000) + "]".repeat(5000) + "}",
            NO_REF));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedFrames")
  void malformedFrameGetsBadRequestAndTheConnectionStaysOpen(
      String what, String frame, Object ref, Vertx vertx, VertxTestContext ctx) {
    rejectedFrameKeepsConnectionOpen(vertx, ctx, c -> c.sendText(frame), "bad_request", ref, what);
  }

  @Test
  void unknownOpGetsUnknownOpAndTheConnectionStaysOpen(Vertx vertx, VertxTestContext ctx) {
    rejectedFrameKeepsConnectionOpen(
        vertx,
        ctx,
        c -> c.sendText("{\"op\":\"subscribeAll\",\"symbols\":[\"AAPL\"],\"ref\":\"u1\"}"),
        "unknown_op",
        "u1",
        "unknown op");
  }

  @Test
  void binaryFrameGetsBadRequestAndTheConnectionStaysOpen(Vertx vertx, VertxTestContext ctx) {
    rejectedFrameKeepsConnectionOpen(
        vertx,
        ctx,
        c -> c.sendBinary(Buffer.buffer("{\"op\":\"ping\",\"ref\":1}")),
        "bad_request",
        NO_REF,
        "binary frame");
  }

  /**
   * A victim sends one frame the server must refuse: it gets exactly one error with {@code code}
   * (and the ref, if any), nothing is subscribed, a ping still gets its pong, and an observer keeps
   * receiving ticks.
   */
  private static void rejectedFrameKeepsConnectionOpen(
      Vertx vertx,
      VertxTestContext ctx,
      Function<WsClient, Future<Void>> sendBad,
      String code,
      Object ref,
      String what) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, ENV)
                .compose(
                    node ->
                        Future.all(
                                WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL"),
                                WsClient.connect(vertx, node.port(), "/ws"))
                            .compose(
                                both -> {
                                  WsClient observer = both.resultAt(0);
                                  WsClient victim = both.resultAt(1);
                                  return Future.all(
                                          observer.next("subscribed"), victim.next("welcome"))
                                      .compose(v -> sendBad.apply(victim))
                                      .compose(v -> victim.next("error"))
                                      .compose(
                                          e -> {
                                            ctx.verify(
                                                () -> {
                                                  assertThat(e.getString("code"))
                                                      .as(what)
                                                      .isEqualTo(code);
                                                  assertThat(e.getString("message")).isNotBlank();
                                                  if (NO_REF.equals(ref)) {
                                                    assertThat(e.containsKey("ref")).isFalse();
                                                  } else {
                                                    assertThat(e.getValue("ref")).isEqualTo(ref);
                                                  }
                                                });
                                            return victim
                                                .send(ping("alive"))
                                                .compose(v -> victim.next("pong"));
                                          })
                                      .compose(
                                          pong -> {
                                            ctx.verify(
                                                () -> {
                                                  assertThat(pong.getValue("ref"))
                                                      .isEqualTo("alive");
                                                  assertThat(types(victim.received()))
                                                      .as(what)
                                                      .containsExactly("welcome", "error", "pong");
                                                  assertThat(victim.socket().isClosed()).isFalse();
                                                  // only the observer's subscription
                                                  assertThat(node.metric(SUBSCRIPTIONS))
                                                      .isEqualTo(1.0);
                                                });
                                            return keepsTicking(observer);
                                          });
                                })));
  }

  @Test
  void frameOfExactly64KiBIsAccepted(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, ENV)
                .compose(
                    node ->
                        vertx.executeBlocking(
                            () -> {
                              try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws")) {
                                raw.readUntil(
                                    f -> f.opcode() == RawWebSocket.TEXT, Duration.ofSeconds(5));
                                raw.sendText(pingOfSize(LIMIT));
                                return raw.readUntil(
                                    f -> f.opcode() == RawWebSocket.TEXT || f.isClose(),
                                    Duration.ofSeconds(5));
                              }
                            }))
                .map(
                    reply -> {
                      ctx.verify(
                          () -> {
                            assertThat(reply.opcode()).as(reply.toString()).isEqualTo(1);
                            JsonObject pong = new JsonObject(reply.text());
                            assertThat(pong.getString("type")).isEqualTo("pong");
                            assertThat(pong.getString("ref")).hasSize(LIMIT - 22);
                          });
                      return null;
                    }));
  }

  @Test
  void frameOver64KiBIsClosedWith1009AndCountedAsAbuse(Vertx vertx, VertxTestContext ctx) {
    closedAsAbuse(
        vertx,
        ctx,
        1009,
        raw -> raw.sendText(pingOfSize(LIMIT + 1)),
        "a single frame of 64 KiB + 1");
  }

  @Test
  void fragmentedMessageOver64KiBIsClosedWith1009AndCountedAsAbuse(
      Vertx vertx, VertxTestContext ctx) {
    byte[] message = pingOfSize(LIMIT + 1000).getBytes(StandardCharsets.UTF_8);
    int half = message.length / 2;
    closedAsAbuse(
        vertx,
        ctx,
        1009,
        raw -> {
          raw.sendFrame(false, RawWebSocket.TEXT, Arrays.copyOfRange(message, 0, half));
          raw.sendFrame(
              true, RawWebSocket.CONTINUATION, Arrays.copyOfRange(message, half, message.length));
        },
        "two frames of 32 KiB each, one message over 64 KiB");
  }

  interface RawAction {
    void run(RawWebSocket raw) throws Exception;
  }

  /** A raw peer misbehaves: it must get a close frame with {@code code}, counted as abuse. */
  private static void closedAsAbuse(
      Vertx vertx, VertxTestContext ctx, int code, RawAction misbehave, String what) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, ENV)
                .compose(
                    node ->
                        WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
                            .compose(
                                observer ->
                                    observer
                                        .next("subscribed")
                                        .compose(
                                            s ->
                                                vertx.executeBlocking(
                                                    () -> {
                                                      try (RawWebSocket raw =
                                                          RawWebSocket.connect(
                                                              node.port(), "/ws")) {
                                                        raw.readUntil(
                                                            f -> f.opcode() == RawWebSocket.TEXT,
                                                            Duration.ofSeconds(5));
                                                        misbehave.run(raw);
                                                        return raw.readUntilClose(
                                                            Duration.ofSeconds(5));
                                                      }
                                                    }))
                                        .compose(
                                            close -> {
                                              ctx.verify(
                                                  () ->
                                                      assertThat(close.closeCode())
                                                          .as(what)
                                                          .isEqualTo(code));
                                              return eventually(
                                                  vertx,
                                                  "one abuse disconnect",
                                                  () -> node.metric(ABUSE) == 1.0);
                                            })
                                        .compose(v -> keepsTicking(observer)))));
  }

  @Test
  void rateLimitedFramesGetErrorsWhileTheConnectionStaysOpen(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> env = rateLimited();
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, env)
                .compose(
                    node ->
                        WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
                            .compose(
                                c ->
                                    c.next("subscribed")
                                        .compose(
                                            s -> {
                                              // burst 3: three pongs, then two refusals
                                              Future<Void> sent = Future.succeededFuture();
                                              for (int i = 1; i <= 5; i++) {
                                                int ref = i;
                                                sent = sent.compose(v -> c.send(ping(ref)));
                                              }
                                              return sent.compose(v -> c.next("error"))
                                                  .compose(v -> c.next("error"));
                                            })
                                        .compose(
                                            secondError -> {
                                              List<JsonObject> replies = replies(c.received());
                                              ctx.verify(
                                                  () -> {
                                                    assertThat(replies).hasSize(5);
                                                    for (int i = 0; i < 3; i++) {
                                                      assertThat(replies.get(i).getString("type"))
                                                          .isEqualTo("pong");
                                                      assertThat(replies.get(i).getValue("ref"))
                                                          .isEqualTo(i + 1);
                                                    }
                                                    for (int i = 3; i < 5; i++) {
                                                      assertThat(replies.get(i).getString("code"))
                                                          .isEqualTo("rate_limited");
                                                      assertThat(
                                                              replies.get(i).getString("message"))
                                                          .isNotBlank();
                                                    }
                                                  });
                                              // At 1 frame/s a token is back after 1 s of the
                                              // server's clock: wait for a tick made that late.
                                              long pongTime = replies.get(2).getLong("serverTime");
                                              return c.next(
                                                  f ->
                                                      "tick".equals(f.getString("type"))
                                                          && f.getLong("ts") >= pongTime + 1100);
                                            })
                                        .compose(t -> c.send(ping("again")))
                                        .compose(
                                            v ->
                                                c.next(
                                                    f ->
                                                        "again".equals(f.getValue("ref"))
                                                            || "error".equals(f.getString("type"))))
                                        .map(
                                            pong -> {
                                              ctx.verify(
                                                  () -> {
                                                    assertThat(pong.getValue("ref"))
                                                        .isEqualTo("again");
                                                    assertThat(c.socket().isClosed()).isFalse();
                                                    assertThat(node.metric(ABUSE)).isEqualTo(0.0);
                                                  });
                                              return null;
                                            }))));
  }

  @Test
  void continuingAbuseAfterRateLimitedIsClosedWith1008(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> env = rateLimited();
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, env)
                .compose(
                    node ->
                        Future.all(
                                WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL"),
                                WsClient.connect(vertx, node.port(), "/ws"))
                            .compose(
                                both -> {
                                  WsClient observer = both.resultAt(0);
                                  WsClient abuser = both.resultAt(1);
                                  return Future.all(
                                          observer.next("subscribed"), abuser.next("welcome"))
                                      .compose(
                                          v -> {
                                            Future<Void> sent = Future.succeededFuture();
                                            for (int i = 1; i <= 12; i++) {
                                              int ref = i;
                                              sent =
                                                  sent.compose(
                                                      x -> abuser.send(ping(ref)).otherwiseEmpty());
                                            }
                                            return sent.compose(x -> abuser.closed());
                                          })
                                      .compose(
                                          code -> {
                                            List<JsonObject> replies = replies(abuser.received());
                                            ctx.verify(
                                                () -> {
                                                  assertThat(code).isEqualTo((short) 1008);
                                                  assertThat(
                                                          replies.stream()
                                                              .filter(
                                                                  r ->
                                                                      "rate_limited"
                                                                          .equals(
                                                                              r.getString("code"))))
                                                      .as("rate_limited before the close")
                                                      .isNotEmpty();
                                                  assertThat(
                                                          replies.stream()
                                                              .filter(
                                                                  r ->
                                                                      "pong"
                                                                          .equals(
                                                                              r.getString("type"))))
                                                      .hasSize(3);
                                                });
                                            return eventually(
                                                vertx,
                                                "one abuse disconnect",
                                                () -> node.metric(ABUSE) == 1.0);
                                          })
                                      .compose(v -> keepsTicking(observer));
                                })));
  }

  @Test
  void clientThatGoesAwayIsCountedAsClientNotAsError(Vertx vertx, VertxTestContext ctx) {
    run(
        vertx,
        ctx,
        () ->
            TestNode.start(vertx, ENV)
                .compose(
                    node ->
                        // one closes politely, one just drops the TCP connection
                        WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL")
                            .compose(c -> c.next("subscribed").compose(s -> c.close()))
                            .compose(
                                v ->
                                    vertx.executeBlocking(
                                        () -> {
                                          RawWebSocket raw =
                                              RawWebSocket.connect(node.port(), "/ws?symbols=AAPL");
                                          raw.readUntil(
                                              f -> f.text().contains("\"subscribed\""),
                                              Duration.ofSeconds(5));
                                          raw.abort();
                                          return null;
                                        }))
                            .compose(
                                v ->
                                    eventually(
                                        vertx,
                                        "both connections gone",
                                        () ->
                                            node.metric("stockstream_ws_connections") == 0
                                                && node.metric(SUBSCRIPTIONS) == 0))
                            .compose(
                                v ->
                                    eventually(
                                        vertx,
                                        "two disconnects counted",
                                        () ->
                                            Stream.of("client", "error", "abuse", "idle")
                                                    .mapToDouble(r -> node.metric(disconnects(r)))
                                                    .sum()
                                                == 2.0))
                            .map(
                                v -> {
                                  ctx.verify(
                                      () -> {
                                        assertThat(node.metric(disconnects("error")))
                                            .as("disconnects counted as error")
                                            .isEqualTo(0.0);
                                        assertThat(node.metric(disconnects("client")))
                                            .as("disconnects counted as client")
                                            .isEqualTo(2.0);
                                      });
                                  return null;
                                })));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static String disconnects(String reason) {
    return "stockstream_ws_disconnects_total{reason=\"" + reason + "\"}";
  }

  private static Map<String, String> rateLimited() {
    Map<String, String> env = new HashMap<>(ENV);
    env.put("STOCKSTREAM_RATE_LIMIT_PER_SECOND", "1");
    env.put("STOCKSTREAM_RATE_LIMIT_BURST", "3");
    return env;
  }

  /** The replies to requests: pongs and errors, in order. */
  private static List<JsonObject> replies(List<JsonObject> frames) {
    return frames.stream()
        .filter(f -> List.of("pong", "error").contains(f.getString("type")))
        .toList();
  }

  /** The observer still gets fresh ticks: five more than it had seen so far. */
  static Future<JsonObject> keepsTicking(WsClient observer) {
    List<Long> seen = seqs(observer.received(), "AAPL");
    long last = seen.isEmpty() ? 0 : seen.get(seen.size() - 1);
    return tickAtLeast(observer, "AAPL", last + 5);
  }

  /** A ping frame of exactly {@code bytes} bytes of UTF-8, padded in its ref. */
  static String pingOfSize(int bytes) {
    String head = "{\"op\":\"ping\",\"ref\":\"";
    String tail = "\"}";
    return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
  }
}
