package io.stockstream.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromqlTest {

  @Test
  void findsTheSelectorsButNotFunctionsGroupingLabelsOrRanges() {
    assertThat(
            Promql.selectors(
                "histogram_quantile(0.99, sum by (job, instance, le) (rate("
                    + "stockstream_fanout_latency_seconds_bucket[5m]))) > 0.05"))
        .containsExactly("stockstream_fanout_latency_seconds_bucket");
    assertThat(
            Promql.selectors(
                "sum by (job, instance) (rate(stockstream_ticks_published_total[2m])) == 0\n"
                    + "  and on (job, instance) stockstream_market_open == 1"))
        .containsExactly("stockstream_ticks_published_total", "stockstream_market_open");
  }

  @Test
  void keepsLabelMatchersWithTheirMetricAndSkipsStrings() {
    assertThat(
            Promql.selectors(
                "sum(rate(a_total{outcome=~\"rejected_.+\", x=\"}{\"}[5m] offset 1m))"
                    + " / ignoring(outcome) group_left b{job=\"j\"} or {__name__=\"c\"}"
                    + " # comment d"))
        .containsExactly(
            "a_total{outcome=~\"rejected_.+\", x=\"}{\"}", "b{job=\"j\"}", "{__name__=\"c\"}");
  }

  @Test
  void substitutesGrafanaVariablesAndRefusesLeftovers() {
    Map<String, String> vars = Map.of("__rate_interval", "4s", "__interval", "1s", "i", "x");
    assertThat(Promql.substitute("rate(m{i=~\"$i\"}[$__rate_interval]) [${__interval}]", vars))
        .isEqualTo("rate(m{i=~\"x\"}[4s]) [1s]");
    assertThatThrownBy(() -> Promql.substitute("rate(m[$__range])", vars))
        .hasMessageContaining("template variable");
  }
}
