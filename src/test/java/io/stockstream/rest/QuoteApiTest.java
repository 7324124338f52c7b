package io.stockstream.rest;

import static io.stockstream.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stockstream.market.PriceWalk;
import io.stockstream.market.SymbolSpec;
import io.stockstream.market.Universe;
import io.stockstream.protocol.Tick;
import io.stockstream.support.Exposition;
import io.stockstream.support.Http;
import io.stockstream.support.TestNode;
import io.stockstream.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class QuoteApiTest {

  private static final long INTERVAL_MS = 20;
  private static final Map<String, String> ENV =
      Map.of("STOCKSTREAM_TICK_INTERVAL_MS", String.valueOf(INTERVAL_MS));

  /** The fields of a tick frame, which a quote has without {@code type}. */
  private static final Set<String> TICK_FIELDS =
      Set.of(
          "symbol", "seq", "price", "open", "high", "low", "change", "changePct", "volume", "ts");

  private static Future<TestNode> start(Vertx vertx) {
    return TestNode.start(vertx, ENV);
  }

  private static Future<Http.Response> get(Vertx vertx, TestNode node, String uri) {
    return Http.get(vertx, node.port(), uri);
  }

  private static Future<Http.Response> request(
      Vertx vertx, TestNode node, HttpMethod method, String uri) {
    return Http.request(
        vertx,
        new RequestOptions()
            .setMethod(method)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI(uri));
  }

  /** The tick the feed makes for {@code seq} with the test node's seed and interval. */
  private static Tick expectedTick(String symbol, long seq) {
    SymbolSpec spec = Universe.lookup(symbol).orElseThrow();
    PriceWalk walk = new PriceWalk(spec, TestNode.SEED, INTERVAL_MS);
    Tick t = walk.first(0);
    while (t.seq() < seq) {
      t = walk.next(0);
    }
    return t;
  }

  private static void assertQuote(JsonObject q, String symbol) {
    assertThat(q.fieldNames()).containsExactlyInAnyOrderElementsOf(TICK_FIELDS);
    assertThat(q.containsKey("type")).isFalse();
    assertThat(q.getString("symbol")).isEqualTo(symbol);
    assertThat(q.getLong("seq")).isPositive();
    assertThat(q.getDouble("price")).isPositive();
    assertThat(q.getDouble("high")).isGreaterThanOrEqualTo(q.getDouble("price"));
    assertThat(q.getDouble("low")).isLessThanOrEqualTo(q.getDouble("price"));
    assertThat(q.getLong("volume")).isNotNegative();
    Tick expected = expectedTick(symbol, q.getLong("seq"));
    assertThat(q.getDouble("price")).as("price of %s", symbol).isEqualTo(expected.price());
    assertThat(q.getDouble("open")).isEqualTo(expected.open());
    assertThat(q.getDouble("high")).isEqualTo(expected.high());
    assertThat(q.getDouble("low")).isEqualTo(expected.low());
    assertThat(q.getDouble("change")).isEqualTo(expected.change());
    assertThat(q.getDouble("changePct")).isEqualTo(expected.changePct());
    assertThat(q.getLong("volume")).isEqualTo(expected.volume());
  }

  private static void assertJson(Http.Response r) {
    assertThat(r.header("Content-Type")).startsWith("application/json");
  }

  /** Every error: the documented JSON body with the right content type, never HTML or a trace. */
  private static void assertError(Http.Response r, int status, String error) {
    String body = r.body().toString(StandardCharsets.UTF_8);
    assertThat(r.status()).as(body).isEqualTo(status);
    assertJson(r);
    assertThat(body).doesNotContain("<html", "<HTML", "Exception", "\tat ");
    JsonObject json = new JsonObject(body);
    assertThat(json.getString("error")).isEqualTo(error);
    assertThat(json.getValue("message")).isInstanceOf(String.class);
    assertThat(json.getString("message")).isNotBlank();
  }

  // ---- symbols and quotes ---------------------------------------------------------------------

  @Test
  void symbolsListsEverySymbolWithNameAndQuote(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
        .compose(node -> get(vertx, node, "/api/symbols"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.status()).isEqualTo(200);
                          assertJson(r);
                          JsonArray symbols = r.json().getJsonArray("symbols");
                          List<SymbolSpec> universe = Universe.defaults();
                          assertThat(symbols).hasSize(universe.size());
                          for (int i = 0; i < universe.size(); i++) {
                            JsonObject s = symbols.getJsonObject(i);
                            String symbol = universe.get(i).symbol();
                            assertThat(s.fieldNames())
                                .containsExactlyInAnyOrder("symbol", "name", "quote");
                            assertThat(s.getString("symbol")).isEqualTo(symbol);
                            assertThat(s.getString("name")).isEqualTo(universe.get(i).name());
                            assertQuote(s.getJsonObject("quote"), symbol);
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  void quoteHasTheTickFieldsAndNoType(Vertx vertx, VertxTestContext ctx) {
    long before = System.currentTimeMillis();
    start(vertx)
        .compose(node -> get(vertx, node, "/api/quotes/AAPL"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.status()).isEqualTo(200);
                          assertJson(r);
                          JsonObject q = r.json();
                          assertQuote(q, "AAPL");
                          assertThat(q.containsKey("missed")).as("no since, no missed").isFalse();
                          assertThat(q.getLong("ts"))
                              .isBetween(before - 1_000, System.currentTimeMillis());
                          assertThat(q.getValue("seq")).isInstanceOf(Number.class);
                          assertThat(q.getDouble("changePct"))
                              .isCloseTo(
                                  (q.getDouble("price") - q.getDouble("open"))
                                      / q.getDouble("open")
                                      * 100,
                                  within(0.0051));
                          ctx.completeNow();
                        })));
  }

  @Test
  void lowerCaseSymbolWorks(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
        .compose(
            node ->
                Future.all(
                    get(vertx, node, "/api/quotes/aapl"), get(vertx, node, "/api/quotes/Brk.b")))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          Http.Response aapl = all.resultAt(0);
                          Http.Response brk = all.resultAt(1);
                          assertThat(aapl.status()).isEqualTo(200);
                          assertQuote(aapl.json(), "AAPL");
                          assertThat(brk.status()).isEqualTo(200);
                          assertQuote(brk.json(), "BRK.B");
                          ctx.completeNow();
                        })));
  }

  @Test
  void sinceAddsTheTicksMissedAfterAnObservedSeq(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
        .compose(
            node ->
                get(vertx, node, "/api/quotes/MSFT")
                    .compose(
                        first -> {
                          long seen = first.json().getLong("seq");
                          // Poll until the feed is at least five ticks further.
                          return eventually(
                                  vertx,
                                  () -> get(vertx, node, "/api/quotes/MSFT?since=" + seen),
                                  r -> r.json().getLong("seq") >= seen + 5)
                              .compose(
                                  later ->
                                      Future.all(
                                              get(vertx, node, "/api/quotes/MSFT?since=0"),
                                              get(vertx, node, "/api/quotes/MSFT?since=999999"))
                                          .map(
                                              edges -> {
                                                ctx.verify(
                                                    () ->
                                                        verifyMissed(
                                                            seen,
                                                            later,
                                                            edges.resultAt(0),
                                                            edges.resultAt(1)));
                                                return null;
                                              }));
                        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static void verifyMissed(
      long seen, Http.Response later, Http.Response fromZero, Http.Response fromFuture) {
    JsonObject q = later.json();
    assertThat(later.status()).isEqualTo(200);
    assertThat(q.fieldNames()).contains("missed").containsAll(TICK_FIELDS);
    long seq = q.getLong("seq");
    // The ticks after the one seen and before the one returned: seen+1 .. seq-1.
    assertThat(q.getLong("missed")).isEqualTo(seq - seen - 1).isGreaterThanOrEqualTo(4);
    assertQuote(withoutMissed(q), "MSFT");

    JsonObject zero = fromZero.json();
    assertThat(zero.getLong("missed")).isEqualTo(zero.getLong("seq") - 1);
    JsonObject future = fromFuture.json();
    assertThat(future.getLong("missed")).as("never negative").isZero();
  }

  private static JsonObject withoutMissed(JsonObject q) {
    JsonObject copy = q.copy();
    copy.remove("missed");
    return copy;
  }

  @Test
  void sinceOfTheLatestSeqMissesNothing(Vertx vertx, VertxTestContext ctx) {
    // A slow feed: the seq does not move between the two requests.
    TestNode.start(vertx, Map.of("STOCKSTREAM_TICK_INTERVAL_MS", "3600000"))
        .compose(
            node ->
                get(vertx, node, "/api/quotes/AAPL")
                    .compose(
                        r -> get(vertx, node, "/api/quotes/AAPL?since=" + r.json().getLong("seq"))))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.status()).isEqualTo(200);
                          assertThat(r.json().getLong("seq")).isEqualTo(1);
                          assertThat(r.json().getLong("missed")).isZero();
                          ctx.completeNow();
                        })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "-1", "1.5", "", "99999999999999999999", "0x10", "%20"})
  void sinceThatIsNotANonNegativeIntegerIs400(String since, Vertx vertx, VertxTestContext ctx) {
    start(vertx)
        .compose(node -> get(vertx, node, "/api/quotes/AAPL?since=" + since))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 400, "bad_request");
                          assertThat(r.json().getString("message")).contains("since");
                          ctx.completeNow();
                        })));
  }

  @Test
  void unknownSymbolGets404(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
        .compose(
            node ->
                Future.all(
                    get(vertx, node, "/api/quotes/NOPE"),
                    get(vertx, node, "/api/quotes/nope?since=3")))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 2; i++) {
                            Http.Response r = all.resultAt(i);
                            assertError(r, 404, "unknown_symbol");
                            assertThat(r.json().getString("message")).contains("NOPE");
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  void quotesReturnsEveryRequestedSymbolInOrder(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
        .compose(node -> get(vertx, node, "/api/quotes?symbols=MSFT,aapl"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.status()).isEqualTo(200);
                          assertJson(r);
                          assertThat(r.json().fieldNames()).containsExactly("quotes");
                          JsonArray quotes = r.json().getJsonArray("quotes");
                          assertThat(quotes).hasSize(2);
                          assertQuote(quotes.getJsonObject(0), "MSFT");
                          assertQuote(quotes.getJsonObject(1), "AAPL");
                          ctx.completeNow();
                        })));
  }

  @Test
  void quotesWithoutSymbolsIs400(Vertx vertx, VertxTestContext ctx) {
    List<String> uris =
        List.of("/api/quotes", "/api/quotes?symbols=", "/api/quotes?symbols=,,", "/api/quotes?x=1");
    start(vertx)
        .compose(node -> Future.all(uris.stream().map(u -> get(vertx, node, u)).toList()))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < uris.size(); i++) {
                            Http.Response r = all.resultAt(i);
                            assertError(r, 400, "bad_request");
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  void quotesForMoreSymbolsThanAllowedIs400(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, Map.of("STOCKSTREAM_MAX_SUBSCRIPTIONS", "2"))
        .compose(node -> get(vertx, node, "/api/quotes?symbols=AAPL,MSFT,TSLA"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 400, "bad_request");
                          ctx.completeNow();
                        })));
  }

  @Test
  void quotesWithAnUnknownSymbolIs404(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
        .compose(node -> get(vertx, node, "/api/quotes?symbols=AAPL,nope,ZZZ"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 404, "unknown_symbol");
                          assertThat(r.json().getString("message")).contains("NOPE", "ZZZ");
                          ctx.completeNow();
                        })));
  }

  // ---- errors of the router -------------------------------------------------------------------

  @Test
  void unknownApiPathIs404Json(Vertx vertx, VertxTestContext ctx) {
    List<String> uris =
        List.of("/api/nope", "/api/quotes/AAPL/extra", "/api", "/api/", "/api/symbols/AAPL");
    start(vertx)
        .compose(node -> Future.all(uris.stream().map(u -> get(vertx, node, u)).toList()))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < uris.size(); i++) {
                            Http.Response r = all.resultAt(i);
                            assertThat(r.status()).as(uris.get(i)).isEqualTo(404);
                            assertError(r, 404, "not_found");
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  void otherMethodsAre405Json(Vertx vertx, VertxTestContext ctx) {
    List<HttpMethod> methods =
        List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH);
    List<String> uris =
        List.of("/api/quotes/AAPL", "/api/symbols", "/api/quotes?symbols=AAPL", "/api/compare");
    start(vertx)
        .compose(
            node -> {
              List<Future<Http.Response>> all = new ArrayList<>();
              for (int i = 0; i < uris.size(); i++) {
                all.add(request(vertx, node, methods.get(i), uris.get(i)));
              }
              return Future.all(all);
            })
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < uris.size(); i++) {
                            Http.Response r = all.resultAt(i);
                            assertThat(r.status())
                                .as(methods.get(i) + " " + uris.get(i))
                                .isEqualTo(405);
                            assertError(r, 405, "method_not_allowed");
                            // RFC 9110: a 405 names the methods the resource takes.
                            assertThat(r.header("Allow")).as("Allow header").contains("GET");
                            assertThat(r.json().getString("message"))
                                .contains(methods.get(i).name());
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  void malformedPercentEncodingIs400Json(Vertx vertx, VertxTestContext ctx) {
    List<String> uris =
        List.of(
            "/api/quotes/%ZZ",
            "/api/quotes/AAPL%",
            "/api/quotes/AAPL?since=%ZZ",
            "/api/quotes/AAPL?x=%G1",
            "/api/quotes?symbols=%ZZ",
            "/api/quotes?symbols=AAPL&x=%");
    start(vertx)
        .compose(node -> Future.all(uris.stream().map(u -> get(vertx, node, u)).toList()))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < uris.size(); i++) {
                            Http.Response r = all.resultAt(i);
                            assertThat(r.status()).as(uris.get(i)).isEqualTo(400);
                            assertError(r, 400, "bad_request");
                          }
                          ctx.completeNow();
                        })));
  }

  // ---- compare --------------------------------------------------------------------------------

  /** Bytes of a server-to-client WebSocket frame on the wire (RFC 6455: unmasked). */
  private static int wireBytes(int payload) {
    int header = payload <= 125 ? 2 : payload <= 0xFFFF ? 4 : 10;
    return header + payload;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  @Test
  void compareReportsWhatBothWaysCostOnTheSameData(Vertx vertx, VertxTestContext ctx) {
    List<Integer> bodySizes = new ArrayList<>();
    List<Long> missed = new ArrayList<>();
    start(vertx)
        .compose(
            node ->
                WsClient.connect(vertx, node.port(), "/ws?symbols=AAPL,MSFT")
                    .compose(ws -> ws.next("subscribed").map(s -> ws))
                    .compose(ws -> polls(vertx, node, bodySizes, missed).map(v -> ws))
                    .compose(
                        ws ->
                            eventually(
                                    vertx,
                                    () -> Future.succeededFuture(tickFrames(ws).size()),
                                    n -> n >= 10)
                                .map(n -> ws))
                    .compose(
                        ws ->
                            ws.send(
                                    new JsonObject()
                                        .put("op", "unsubscribe")
                                        .put("symbols", new JsonArray().add("AAPL").add("MSFT"))
                                        .put("ref", 1))
                                .compose(v -> ws.next("unsubscribed"))
                                // After unsubscribed, no tick of AAPL or MSFT arrives: every
                                // tick the server counted is in this list.
                                .map(v -> tickFrames(ws)))
                    .compose(
                        ticks ->
                            get(vertx, node, "/api/compare")
                                .map(
                                    r -> {
                                      ctx.verify(() -> verifyCompare(r, ticks, bodySizes, missed));
                                      return null;
                                    })))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Six quote polls: three plain, three with {@code since} of the previous seq. */
  private static Future<Void> polls(
      Vertx vertx, TestNode node, List<Integer> bodySizes, List<Long> missed) {
    Future<Long> chain = Future.succeededFuture(-1L);
    for (int i = 0; i < 6; i++) {
      int n = i;
      chain =
          chain.compose(
              prev ->
                  vertx
                      .timer(6 * INTERVAL_MS)
                      .compose(
                          t ->
                              get(
                                  vertx,
                                  node,
                                  n < 3 ? "/api/quotes/AAPL" : "/api/quotes/AAPL?since=" + prev))
                      .map(
                          r -> {
                            bodySizes.add(r.body().length());
                            if (r.json().containsKey("missed")) {
                              missed.add(r.json().getLong("missed"));
                            }
                            return r.json().getLong("seq");
                          }));
    }
    return chain.mapEmpty();
  }

  private static List<JsonObject> tickFrames(WsClient ws) {
    return ws.received().stream().filter(f -> "tick".equals(f.getString("type"))).toList();
  }

  private static void verifyCompare(
      Http.Response r, List<JsonObject> ticks, List<Integer> bodySizes, List<Long> missed) {
    assertThat(r.status()).isEqualTo(200);
    assertJson(r);
    JsonObject http = r.json().getJsonObject("http");
    JsonObject ws = r.json().getJsonObject("websocket");

    assertThat(http.getLong("quoteResponses")).isEqualTo(6);
    assertThat(http.getLong("updates")).isEqualTo(6);
    double meanBody = bodySizes.stream().mapToInt(Integer::intValue).average().orElseThrow();
    // Headers count: at least the request line and the status line on top of the body.
    int lines =
        "GET /api/quotes/AAPL HTTP/1.1\r\n\r\n".length() + "HTTP/1.1 200 OK\r\n\r\n".length();
    assertThat(http.getDouble("avgBytesPerUpdate")).isGreaterThan(meanBody + lines);
    assertThat(http.getDouble("avgBytesPerUpdate")).isLessThan(meanBody + 1_000);
    assertThat(missed).hasSize(3);
    assertThat(http.getLong("pollsWithSince")).isEqualTo(3);
    double meanMissed = missed.stream().mapToLong(Long::longValue).average().orElseThrow();
    assertThat(http.getDouble("avgMissedPerPoll")).isEqualTo(round3(meanMissed));
    assertThat(meanMissed).as("polls every 120 ms or more miss ticks every 20 ms").isPositive();

    assertThat(ws.getLong("tickFrames")).isEqualTo(ticks.size()).isGreaterThanOrEqualTo(10);
    List<Integer> payloads =
        ticks.stream().map(t -> t.encode().getBytes(StandardCharsets.UTF_8).length).toList();
    int min = payloads.stream().mapToInt(Integer::intValue).min().orElseThrow();
    int max = payloads.stream().mapToInt(Integer::intValue).max().orElseThrow();
    double avg = ws.getDouble("avgBytesPerUpdate");
    assertThat(avg).isBetween((double) wireBytes(min), (double) wireBytes(max));
    double expected = payloads.stream().mapToInt(QuoteApiTest::wireBytes).average().orElseThrow();
    assertThat(avg).isCloseTo(round3(expected), within(0.0011));

    double p50 = ws.getDouble("fanoutLatencyP50Ms");
    double p99 = ws.getDouble("fanoutLatencyP99Ms");
    assertThat(p50).isPositive();
    assertThat(p99).isGreaterThanOrEqualTo(p50).isLessThanOrEqualTo(10_000.0);
  }

  @Test
  void compareCountsEveryByteOfTheHttpExchange(Vertx vertx, VertxTestContext ctx) {
    // A raw socket shows exactly what crossed the wire: request and response, heads included.
    start(vertx)
        .compose(
            node -> {
              String request =
                  "GET /api/quotes/AAPL?since=1 HTTP/1.1\r\n"
                      + "Host: 127.0.0.1:"
                      + node.port()
                      + "\r\n"
                      + "Accept: application/json\r\n"
                      + "\r\n";
              return rawExchange(vertx, node.port(), request)
                  .compose(
                      response ->
                          get(vertx, node, "/api/compare")
                              .map(
                                  compare -> {
                                    ctx.verify(() -> verifyExactBytes(request, response, compare));
                                    return null;
                                  }));
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  private static void verifyExactBytes(String request, Buffer response, Http.Response compare) {
    String text = response.toString(StandardCharsets.UTF_8);
    assertThat(text).startsWith("HTTP/1.1 200 OK\r\n");
    JsonObject quote = new JsonObject(text.substring(text.indexOf("\r\n\r\n") + 4));
    long wire = request.getBytes(StandardCharsets.US_ASCII).length + response.length();

    JsonObject http = compare.json().getJsonObject("http");
    assertThat(http.getLong("quoteResponses")).isEqualTo(1);
    assertThat(http.getLong("updates")).isEqualTo(1);
    assertThat(http.getDouble("avgBytesPerUpdate")).isEqualTo((double) wire);
    assertThat(http.getLong("pollsWithSince")).isEqualTo(1);
    assertThat(http.getDouble("avgMissedPerPoll")).isEqualTo(quote.getLong("missed").doubleValue());
  }

  /** Sends {@code request} on a raw TCP socket and returns the whole response as received. */
  private static Future<Buffer> rawExchange(Vertx vertx, int port, String request) {
    NetClient client = vertx.createNetClient();
    Promise<Buffer> done = Promise.promise();
    Buffer received = Buffer.buffer();
    return client
        .connect(port, "127.0.0.1")
        .compose(
            (NetSocket socket) -> {
              socket.handler(
                  chunk -> {
                    received.appendBuffer(chunk);
                    Integer length = completeLength(received);
                    if (length != null && received.length() >= length) {
                      done.tryComplete(received);
                    }
                  });
              socket.closeHandler(v -> done.tryFail("closed before the whole response"));
              return socket.write(request).compose(v -> done.future());
            })
        .timeout(5, TimeUnit.SECONDS)
        .eventually(client::close);
  }

  /** Head plus Content-Length once the head is complete, else null. */
  private static Integer completeLength(Buffer received) {
    String text = received.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return null;
    }
    for (String line : text.substring(0, end).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0
          && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
        return end + 4 + Integer.parseInt(line.substring(colon + 1).trim());
      }
    }
    return null;
  }

  // ---- metrics --------------------------------------------------------------------------------

  @Test
  void quoteRequestsAreCounted(Vertx vertx, VertxTestContext ctx) {
    Function<TestNode, Future<Double>> scrape =
        node ->
            Http.get(vertx, node.managementPort(), "/metrics")
                .map(
                    r ->
                        Exposition.value(
                            r.body().toString(StandardCharsets.UTF_8),
                            "stockstream_http_quote_requests_total"));
    start(vertx)
        .compose(
            node ->
                scrape
                    .apply(node)
                    .compose(
                        before ->
                            get(vertx, node, "/api/quotes/AAPL")
                                .compose(r -> get(vertx, node, "/api/quotes/msft?since=1"))
                                .compose(r -> get(vertx, node, "/api/quotes?symbols=AAPL,TSLA"))
                                .compose(r -> get(vertx, node, "/api/compare"))
                                .compose(r -> scrape.apply(node))
                                .map(
                                    after -> {
                                      ctx.verify(
                                          () -> {
                                            assertThat(before).isZero();
                                            assertThat(after).isEqualTo(3.0);
                                          });
                                      return null;
                                    })))
        .onComplete(ctx.succeedingThenComplete());
  }
}
