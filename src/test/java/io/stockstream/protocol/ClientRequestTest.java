package io.stockstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.stockstream.protocol.ClientRequest.BadFrame;
import io.stockstream.protocol.ClientRequest.Ping;
import io.stockstream.protocol.ClientRequest.Subscribe;
import io.stockstream.protocol.ClientRequest.Unsubscribe;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientRequestTest {

  private static BadFrame badFrame(String text) {
    return catchThrowableOfType(BadFrame.class, () -> ClientRequest.parse(text));
  }

  private static Subscribe subscribe(String text) throws BadFrame {
    return (Subscribe) ClientRequest.parse(text);
  }

  // ---- the ops --------------------------------------------------------------------------------

  @Test
  void aSubscribeCarriesItsNormalisedSymbolsInOrder() throws BadFrame {
    ClientRequest r =
        ClientRequest.parse("{\"op\":\"subscribe\",\"symbols\":[\" msft\",\"AAPL\"]}");
    assertThat(r).isInstanceOf(Subscribe.class);
    Subscribe s = (Subscribe) r;
    assertThat(s.symbols()).containsExactly("MSFT", "AAPL");
    assertThat(s.since()).isNull();
    assertThat(s.epoch()).isNull();
    assertThat(s.ref()).isSameAs(ProtocolJson.NO_REF);
  }

  @Test
  void aSubscribeKeepsDuplicateSymbols() throws BadFrame {
    assertThat(subscribe("{\"op\":\"subscribe\",\"symbols\":[\"aapl\",\"AAPL\"]}").symbols())
        .containsExactly("AAPL", "AAPL");
  }

  @Test
  void anUnsubscribeCarriesItsNormalisedSymbols() throws BadFrame {
    ClientRequest r = ClientRequest.parse("{\"op\":\"unsubscribe\",\"symbols\":[\"tsla\"]}");
    assertThat(r).isInstanceOf(Unsubscribe.class);
    assertThat(((Unsubscribe) r).symbols()).containsExactly("TSLA");
    assertThat(r.ref()).isSameAs(ProtocolJson.NO_REF);
  }

  @Test
  void aPingNeedsNothingElse() throws BadFrame {
    ClientRequest r = ClientRequest.parse("{\"op\":\"ping\"}");
    assertThat(r).isInstanceOf(Ping.class);
    assertThat(r.ref()).isSameAs(ProtocolJson.NO_REF);
  }

  @Test
  void aPingIgnoresFieldsItDoesNotUse() throws BadFrame {
    assertThat(ClientRequest.parse("{\"op\":\"ping\",\"symbols\":42,\"since\":\"x\"}"))
        .isInstanceOf(Ping.class);
  }

  @Test
  void aSubscribeWithSinceAndEpochKeepsBothWithNormalisedKeys() throws BadFrame {
    Subscribe s =
        subscribe(
            "{\"op\":\"subscribe\",\"symbols\":[\"aapl\",\"msft\"],"
                + "\"since\":{\" aapl\":17,\"Msft\":0},\"epoch\":\"e-1\"}");
    assertThat(s.since()).containsExactly(Map.entry("AAPL", 17L), Map.entry("MSFT", 0L));
    assertThat(s.epoch()).isEqualTo("e-1");
  }

  @Test
  void anEmptySinceIsKeptAsEmptyNotAbsent() throws BadFrame {
    assertThat(subscribe("{\"op\":\"subscribe\",\"symbols\":[\"A\"],\"since\":{}}").since())
        .isNotNull()
        .isEmpty();
  }

  @Test
  void nullSinceAndEpochAreAbsent() throws BadFrame {
    Subscribe s =
        subscribe("{\"op\":\"subscribe\",\"symbols\":[\"A\"],\"since\":null,\"epoch\":null}");
    assertThat(s.since()).isNull();
    assertThat(s.epoch()).isNull();
  }

  @Test
  void aWholeNumberWrittenWithAFractionIsASeq() throws BadFrame {
    assertThat(
            subscribe("{\"op\":\"subscribe\",\"symbols\":[\"A\"],\"since\":{\"A\":5.0}}").since())
        .containsEntry("A", 5L);
  }

  @Test
  void aSeqBeyondIntRangeIsKept() throws BadFrame {
    assertThat(
            subscribe(
                    "{\"op\":\"subscribe\",\"symbols\":[\"A\"],\"since\":{\"A\":9007199254740993}}")
                .since())
        .containsEntry("A", 9_007_199_254_740_993L);
  }

  // ---- ref ------------------------------------------------------------------------------------

  @ParameterizedTest(name = "ref {0}")
  @ValueSource(strings = {"7", "-1.5", "\"abc\"", "\"\"", "true", "{\"a\":[1]}", "[1,2]"})
  void aRefIsKeptAsWhateverJsonValueItIs(String refJson) throws BadFrame {
    Object expected = new JsonObject("{\"ref\":" + refJson + "}").getValue("ref");
    for (String frame :
        List.of(
            "{\"op\":\"ping\",\"ref\":" + refJson + "}",
            "{\"ref\":" + refJson + ",\"op\":\"subscribe\",\"symbols\":[\"A\"]}",
            "{\"op\":\"unsubscribe\",\"symbols\":[\"A\"],\"ref\":" + refJson + "}")) {
      assertThat(ClientRequest.parse(frame).ref()).as(frame).isEqualTo(expected);
    }
  }

  @Test
  void aRefThatIsAnObjectIsAJsonObject() throws BadFrame {
    Object ref = ClientRequest.parse("{\"op\":\"ping\",\"ref\":{\"n\":1}}").ref();
    assertThat(ref).isEqualTo(new JsonObject().put("n", 1));
  }

  @Test
  void aNullRefIsDistinctFromNoRef() throws BadFrame {
    Object ref = ClientRequest.parse("{\"op\":\"ping\",\"ref\":null}").ref();
    assertThat(ref).isNull();
    assertThat(ref).isNotSameAs(ProtocolJson.NO_REF);
  }

  // ---- bad_request ----------------------------------------------------------------------------

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", " ", "{", "nope", "{\"op\":\"ping\",}", "{'op':'ping'}", "{\"op\"}"})
  void textThatIsNotJsonIsABadRequestWithoutRef(String text) {
    BadFrame e = badFrame(text);
    assertThat(e.code()).isEqualTo("bad_request");
    assertThat(e).hasMessage("frame is not valid JSON");
    assertThat(e.ref()).isSameAs(ProtocolJson.NO_REF);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"[]", "[{\"op\":\"ping\"}]", "\"ping\"", "42", "null", "true"})
  void jsonThatIsNotAnObjectIsABadRequestWithoutRef(String text) {
    BadFrame e = badFrame(text);
    assertThat(e.code()).isEqualTo("bad_request");
    assertThat(e).hasMessage("frame must be a JSON object");
    assertThat(e.ref()).isSameAs(ProtocolJson.NO_REF);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "{\"ref\":3}",
        "{\"ref\":3,\"op\":null}",
        "{\"ref\":3,\"op\":1}",
        "{\"ref\":3,\"op\":[\"ping\"]}",
        "{\"ref\":3,\"op\":{}}"
      })
  void anOpThatIsMissingOrNotAStringIsABadRequestWithTheRef(String text) {
    BadFrame e = badFrame(text);
    assertThat(e.code()).isEqualTo("bad_request");
    assertThat(e).hasMessage("\"op\" must be a string");
    assertThat(e.ref()).isEqualTo(3);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "",
        ",\"symbols\":null",
        ",\"symbols\":[]",
        ",\"symbols\":\"AAPL\"",
        ",\"symbols\":{\"AAPL\":1}",
        ",\"symbols\":[\"AAPL\",1]",
        ",\"symbols\":[null]",
        ",\"symbols\":[[\"AAPL\"]]"
      })
  void symbolsThatAreNotANonEmptyArrayOfStringsAreABadRequest(String symbols) {
    for (String op : List.of("subscribe", "unsubscribe")) {
      BadFrame e = badFrame("{\"op\":\"" + op + "\",\"ref\":\"r\"" + symbols + "}");
      assertThat(e.code()).as(op).isEqualTo("bad_request");
      assertThat(e).as(op).hasMessage("\"symbols\" must be a non-empty array of strings");
      assertThat(e.ref()).as(op).isEqualTo("r");
    }
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", " ", ".AAPL", "ABCDEFGHIJKLM", "ß", "ＡＡＰＬ", "A B"})
  void aMalformedSymbolIsABadRequestNamingIt(String symbol) {
    for (String op : List.of("subscribe", "unsubscribe")) {
      String frame =
          new JsonObject()
              .put("op", op)
              .put("ref", 9)
              .put("symbols", new JsonArray().add("AAPL").add(symbol))
              .encode();
      BadFrame e = badFrame(frame);
      assertThat(e.code()).as(op).isEqualTo("bad_request");
      assertThat(e).as(op).hasMessage("'" + symbol.trim() + "' is not a symbol: " + Symbols.RULE);
      assertThat(e.ref()).as(op).isEqualTo(9);
    }
  }

  @ParameterizedTest(name = "since {0}")
  @ValueSource(strings = {"[]", "[1]", "\"AAPL\"", "5", "true"})
  void aSinceThatIsNotAnObjectIsABadRequest(String since) {
    BadFrame e =
        badFrame("{\"op\":\"subscribe\",\"ref\":1,\"symbols\":[\"AAPL\"],\"since\":" + since + "}");
    assertThat(e.code()).isEqualTo("bad_request");
    assertThat(e).hasMessage("\"since\" must map symbols to seq numbers");
    assertThat(e.ref()).isEqualTo(1);
  }

  @ParameterizedTest(name = "since.AAPL = {0}")
  @ValueSource(
      strings = {
        "-1",
        "-0.5",
        "1.5",
        "0.1",
        "1e30",
        "9223372036854775808.0",
        "12345678901234567.5",
        "9223372036854775808",
        "\"5\"",
        "null",
        "true",
        "[5]",
        "{\"seq\":5}"
      })
  void aSinceSeqThatIsNotANonNegativeIntegerIsABadRequest(String seq) {
    BadFrame e =
        badFrame(
            "{\"op\":\"subscribe\",\"ref\":1,\"symbols\":[\"AAPL\"],\"since\":{\"aapl\":"
                + seq
                + "}}");
    assertThat(e.code()).isEqualTo("bad_request");
    assertThat(e).hasMessage("\"since\".AAPL must be a non-negative integer");
    assertThat(e.ref()).isEqualTo(1);
  }

  @Test
  void aMalformedSymbolAsASinceKeyIsABadRequest() {
    BadFrame e =
        badFrame("{\"op\":\"subscribe\",\"ref\":1,\"symbols\":[\"AAPL\"],\"since\":{\".X\":1}}");
    assertThat(e.code()).isEqualTo("bad_request");
    assertThat(e).hasMessageStartingWith("'.X' is not a symbol");
    assertThat(e.ref()).isEqualTo(1);
  }

  @ParameterizedTest(name = "epoch {0}")
  @ValueSource(strings = {"1", "true", "[\"e\"]", "{\"e\":1}"})
  void anEpochThatIsNotAStringIsABadRequest(String epoch) {
    BadFrame e =
        badFrame("{\"op\":\"subscribe\",\"ref\":1,\"symbols\":[\"AAPL\"],\"epoch\":" + epoch + "}");
    assertThat(e.code()).isEqualTo("bad_request");
    assertThat(e).hasMessage("\"epoch\" must be a string");
    assertThat(e.ref()).isEqualTo(1);
  }

  @Test
  void aBadFrameWithoutARefHasNoRef() {
    assertThat(badFrame("{\"op\":\"subscribe\"}").ref()).isSameAs(ProtocolJson.NO_REF);
  }

  // ---- unknown_op -----------------------------------------------------------------------------

  @ParameterizedTest(name = "op \"{0}\"")
  @ValueSource(strings = {"", "Subscribe", "PING", "publish", " ping"})
  void anUnknownOpIsUnknownOpWithTheRef(String op) {
    BadFrame e = badFrame("{\"op\":\"" + op + "\",\"ref\":[1],\"symbols\":[\"AAPL\"]}");
    assertThat(e.code()).isEqualTo("unknown_op");
    assertThat(e).hasMessage("unknown op \"" + op + "\": use subscribe, unsubscribe or ping");
    assertThat(e.ref()).isEqualTo(new JsonArray().add(1));
  }

  // ---- fromQuery ------------------------------------------------------------------------------

  @Test
  void noSymbolsParameterIsNoSubscribe() throws BadFrame {
    assertThat(ClientRequest.fromQuery(null)).isNull();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", " ", "\t "})
  void aBlankSymbolsParameterIsNoSubscribe(String param) throws BadFrame {
    assertThat(ClientRequest.fromQuery(param)).isNull();
  }

  @Test
  void aSymbolsParameterIsAPlainSubscribeWithoutRef() throws BadFrame {
    Subscribe s = ClientRequest.fromQuery("aapl, MSFT ,aapl");
    assertThat(s.symbols()).containsExactly("AAPL", "MSFT", "AAPL");
    assertThat(s.ref()).isSameAs(ProtocolJson.NO_REF);
    assertThat(s.since()).isNull();
    assertThat(s.epoch()).isNull();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource(
      delimiter = '|',
      value = {
        "AAPL,|'AAPL,' has an empty entry",
        "AAPL,,MSFT|'AAPL,,MSFT' has an empty entry",
        "AAPL,.X|'.X' is not a symbol",
        "ß|'ß' is not a symbol"
      })
  void aMalformedSymbolsParameterIsABadRequest(String param, String message) {
    BadFrame e = catchThrowableOfType(BadFrame.class, () -> ClientRequest.fromQuery(param));
    assertThat(e.code()).isEqualTo("bad_request");
    assertThat(e).hasMessageStartingWith("?symbols=: " + message);
    assertThat(e.ref()).isSameAs(ProtocolJson.NO_REF);
  }
}
