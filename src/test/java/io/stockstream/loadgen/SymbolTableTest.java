package io.stockstream.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SymbolTableTest {

  private static List<String> universe(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(String.format("S%05d", i));
    }
    return out;
  }

  @Test
  void findsEverySymbolByItsBytesAndNoOther() {
    SymbolTable t = SymbolTable.of(universe(10_000));
    for (int i = 0; i < 10_000; i++) {
      byte[] b = ("xx" + t.name(i) + "yy").getBytes(StandardCharsets.US_ASCII);
      assertThat(t.indexOf(b, 2, b.length - 4)).isEqualTo(i);
    }
    byte[] unknown = "S99999".getBytes(StandardCharsets.US_ASCII);
    assertThat(t.indexOf(unknown, 0, unknown.length)).isEqualTo(-1);
    assertThat(t.indexOf(unknown, 0, 0)).isEqualTo(-1);
  }

  @Test
  void subscriptionsSpreadEvenlyAndDeterministically() {
    SymbolTable t = SymbolTable.of(universe(50));
    int[] subscribers = new int[50];
    for (int c = 0; c < 1000; c++) {
      int[] mine = t.assign(c, 5);
      assertThat(mine).doesNotHaveDuplicates();
      for (int s : mine) {
        subscribers[s]++;
      }
    }
    assertThat(subscribers).containsOnly(100);
    assertThat(t.assign(11, 5)).containsExactly(5, 6, 7, 8, 9);
    assertThat(t.csv(t.assign(0, 2))).isEqualTo("S00001,S00002");
  }

  @Test
  void moreSubscriptionsThanSymbolsIsRefused() {
    SymbolTable t = SymbolTable.of(universe(3));
    assertThatThrownBy(() -> t.assign(0, 4)).hasMessageContaining("3 symbols");
  }
}
