package io.stockstream.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SettingsDocumentedTest {

  @ParameterizedTest
  @EnumSource(Setting.class)
  void readmeListsEverySettingWithItsFlag(Setting setting) throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(readme).contains("| `" + setting.env() + "` | `" + setting.flag() + "` |");
  }
}
