package io.stockstream.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** README's settings table says what {@link Setting} says: flag, default and range. */
class SettingsDocumentedTest {

  /** A range as the meaning column states it, e.g. {@code (1..3600000)}. */
  private static final Pattern RANGE = Pattern.compile("\\((-?[0-9]+)\\.\\.(-?[0-9]+)\\)");

  private static final String README = read(Path.of("README.md"));

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines of the table under "## Settings", up to the next section. */
  private static List<String> settingsSection() {
    int start = README.indexOf("\n## Settings\n");
    assertThat(start).as("README has a ## Settings section").isNotNegative();
    int end = README.indexOf("\n## ", start + 1);
    return README.substring(start, end < 0 ? README.length() : end).lines().toList();
  }

  /** The cells of the setting's one row: env var, flag, default, meaning. */
  private static List<String> row(Setting setting) {
    String prefix = "| `" + setting.env() + "` | `" + setting.flag() + "` |";
    List<String> rows = settingsSection().stream().filter(l -> l.startsWith(prefix)).toList();
    assertThat(rows).as("rows for %s in README's settings table", setting.env()).hasSize(1);
    String line = rows.get(0).strip();
    // The meaning may hold a | of its own: only the first three separators split cells.
    String[] cells = line.substring(1, line.length() - 1).split("\\|", 4);
    assertThat(cells).as("cells of %s", line).hasSize(4);
    return List.of(cells).stream().map(String::strip).toList();
  }

  @ParameterizedTest
  @EnumSource(Setting.class)
  void readmeListsEverySettingWithItsFlag(Setting setting) {
    assertThat(README).contains("| `" + setting.env() + "` | `" + setting.flag() + "` |");
  }

  @ParameterizedTest
  @EnumSource(Setting.class)
  void readmeDefaultIsTheSettingsDefault(Setting setting) {
    String documented = row(setting).get(2).replace("`", "");
    assertThat(documented)
        .as("README default of %s", setting.env())
        .isEqualTo(setting.defaultText());
  }

  @ParameterizedTest
  @EnumSource(Setting.class)
  void readmeRangeIsTheSettingsBounds(Setting setting) {
    Matcher m = RANGE.matcher(row(setting).get(3));
    if (!m.find()) {
      return;
    }
    NumberRange range =
        setting
            .range()
            .orElseThrow(
                () -> new AssertionError(setting.env() + " states a range but is no number"));
    assertThat(m.group(1) + ".." + m.group(2))
        .as("README range of %s", setting.env())
        .isEqualTo(range.text());
    assertThat(m.find()).as("%s states one range", setting.env()).isFalse();
  }
}
