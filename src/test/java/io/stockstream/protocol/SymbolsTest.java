package io.stockstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SymbolsTest {

  // ---- normalize ------------------------------------------------------------------------------

  @ParameterizedTest(name = "\"{0}\" is {1}")
  @CsvSource(
      delimiter = '|',
      ignoreLeadingAndTrailingWhitespace = false,
      value = {
        "AAPL|AAPL",
        "aapl|AAPL",
        "  msft\t|MSFT",
        "BRK.B|BRK.B",
        "brk-b|BRK-B",
        "A|A",
        "7|7",
        "9988.HK|9988.HK",
        "A.|A.",
        "A--..|A--..",
        "ABCDEFGHIJKL|ABCDEFGHIJKL",
        " abcdefghijkl |ABCDEFGHIJKL"
      })
  void aSymbolIsTrimmedAndUpperCased(String raw, String expected) {
    assertThat(Symbols.normalize(raw)).isEqualTo(expected);
    assertThat(Symbols.isSymbol(raw)).isTrue();
  }

  @ParameterizedTest(name = "\"{0}\" is refused")
  @ValueSource(
      strings = {
        "",
        " ",
        "\t\n",
        ".AAPL",
        "-AAPL",
        ".",
        "ABCDEFGHIJKLM", // 13 characters
        "AA PL",
        "AAPL!",
        "AA_PL",
        "AA/PL",
        "AA,PL",
        "ı", // dotless i: Locale.ROOT upper-cases it to "I"
        "ıbm",
        "ß", // upper-cases to "SS"
        "straße",
        "ＡＡＰＬ", // full-width letters
        "ＡAPL",
        "AAPL１", // full-width digit
        "é",
        "Ⅻ", // a roman numeral is a letter to Unicode
        "٣", // an Arabic-Indic digit
        "\u212A" // the Kelvin sign, which lower-cases to an ASCII k
      })
  void anythingButAnAsciiTickerIsRefused(String raw) {
    assertThat(Symbols.isSymbol(raw)).isFalse();
    assertThatThrownBy(() -> Symbols.normalize(raw))
        .isInstanceOf(Symbols.Malformed.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Symbols.RULE);
  }

  @Test
  void theLengthLimitIsTwelveCharactersAfterTrimming() {
    assertThat(Symbols.MAX_LENGTH).isEqualTo(12);
    assertThat(Symbols.normalize("   " + "X".repeat(12) + "   ")).isEqualTo("X".repeat(12));
    assertThatThrownBy(() -> Symbols.normalize("X".repeat(13)))
        .isInstanceOf(Symbols.Malformed.class);
  }

  @Test
  void theMessageNamesTheTrimmedOffendingSymbol() {
    assertThatThrownBy(() -> Symbols.normalize("  ^GSPC "))
        .hasMessage("'^GSPC' is not a symbol: " + Symbols.RULE);
  }

  @Test
  void theMessageAbbreviatesAVeryLongSymbolToFortyCharacters() {
    String raw = "Q".repeat(40) + "TAIL" + "Z".repeat(10_000);
    assertThatThrownBy(() -> Symbols.normalize(raw))
        .hasMessage("'" + "Q".repeat(40) + "…' is not a symbol: " + Symbols.RULE);
  }

  @Test
  void aSymbolOfExactlyFortyCharactersIsEchoedWhole() {
    String raw = "W".repeat(40);
    assertThatThrownBy(() -> Symbols.normalize(raw))
        .hasMessage("'" + raw + "' is not a symbol: " + Symbols.RULE);
  }

  // ---- entries / parseList --------------------------------------------------------------------

  @Test
  void entriesAreTrimmedAndKeepTheirOrderCaseAndDuplicates() {
    assertThat(Symbols.entries(" msft ,AAPL,\tmsft,x"))
        .containsExactly("msft", "AAPL", "msft", "x");
  }

  @Test
  void entriesDoNotJudgeTheSymbolsThemselves() {
    assertThat(Symbols.entries("ß, .X")).containsExactly("ß", ".X");
  }

  @Test
  void aSingleEntryIsAListOfOne() {
    assertThat(Symbols.entries("AAPL")).containsExactly("AAPL");
    assertThat(Symbols.parseList(" aapl ")).containsExactly("AAPL");
  }

  @Test
  void parseListNormalisesEachEntryInOrderKeepingDuplicates() {
    assertThat(Symbols.parseList("tsla, AAPL ,aapl,brk.b"))
        .isEqualTo(List.of("TSLA", "AAPL", "AAPL", "BRK.B"));
  }

  @ParameterizedTest(name = "\"{0}\" has an empty entry")
  @ValueSource(
      strings = {"", " ", ",", "AAPL,", "AAPL, ", ",AAPL", "AAPL,,MSFT", "AAPL, ,MSFT", " , "})
  void anEmptyEntryOrATrailingCommaIsMalformed(String list) {
    assertThatThrownBy(() -> Symbols.entries(list))
        .isInstanceOf(Symbols.Malformed.class)
        .hasMessage("'" + list + "' has an empty entry");
    assertThatThrownBy(() -> Symbols.parseList(list)).isInstanceOf(Symbols.Malformed.class);
  }

  @Test
  void anEmptyEntryInAVeryLongListIsReportedAbbreviated() {
    String list = "AAPL,".repeat(1_000) + ",MSFT";
    assertThatThrownBy(() -> Symbols.entries(list))
        .hasMessage("'" + list.substring(0, 40) + "…' has an empty entry");
  }

  @Test
  void parseListNamesTheFirstMalformedEntry() {
    assertThatThrownBy(() -> Symbols.parseList("AAPL, ms ft ,.X"))
        .isInstanceOf(Symbols.Malformed.class)
        .hasMessageStartingWith("'ms ft' is not a symbol");
  }

  @Test
  void parseListAbbreviatesAVeryLongMalformedEntry() {
    String longEntry = "L".repeat(5_000);
    assertThatThrownBy(() -> Symbols.parseList("AAPL," + longEntry))
        .hasMessage("'" + "L".repeat(40) + "…' is not a symbol: " + Symbols.RULE);
  }
}
