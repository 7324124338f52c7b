package io.stockstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A command past its deadline is ended with every process it started, not just the first. */
class CommandTest {

  @Test
  void aTimedOutCommandTakesItsBackgroundChildrenWithIt() {
    // The shell prints the pid of its background child, then waits on a foreground one.
    List<String> command = List.of("sh", "-c", "sleep 600 & echo \"background $!\"; sleep 600");
    Throwable thrown = null;
    try {
      Command.run(command, Duration.ofSeconds(1));
    } catch (Throwable e) {
      thrown = e;
    }
    assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessageContaining("still");
    Matcher m = Pattern.compile("background (\\d+)").matcher(thrown.getMessage());
    assertThat(m.find()).as(thrown.getMessage()).isTrue();
    long background = Long.parseLong(m.group(1));
    assertThat(ProcessHandle.of(background).filter(ProcessHandle::isAlive))
        .as("the background sleep, pid %d", background)
        .isEmpty();
  }

  @Test
  void aCommandThatEndsInTimeGivesItsExitCodeAndOutput() throws Exception {
    Command c =
        Command.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(30));
    assertThat(c.exitCode()).isEqualTo(3);
    assertThat(c.stdout()).isEqualTo("out\n");
    assertThat(c.stderr()).isEqualTo("err\n");
  }
}
