package io.stockstream.support;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Just enough PromQL for tests: the series selectors of an expression (what {@code
 * /api/v1/series?match[]=} takes), and Grafana's template variables replaced by values. Prometheus
 * 2.42 has no parse endpoint; Prometheus itself still checks every selector found here, since
 * {@code /api/v1/series} refuses anything that is not one.
 */
public final class Promql {

  /** Words that are never metric names: aggregations, set and grouping keywords, modifiers. */
  private static final Set<String> KEYWORDS =
      Set.of(
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "offset",
          "and",
          "or",
          "unless",
          "atan2",
          "inf",
          "nan");

  /** Keywords followed by a parenthesised list of label names, not of expressions. */
  private static final Set<String> LABEL_LISTS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private Promql() {}

  /** The distinct series selectors of {@code expr}, e.g. {@code up{job="stockstream"}}. */
  public static List<String> selectors(String expr) {
    Set<String> out = new LinkedHashSet<>();
    int i = 0;
    int n = expr.length();
    while (i < n) {
      char c = expr.charAt(i);
      if (c == '#') {
        while (i < n && expr.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
      } else if (c == '[') {
        i = skipTo(expr, i, ']');
      } else if (c == '{') {
        int end = skipTo(expr, i, '}');
        out.add(expr.substring(i, end));
        i = end;
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && isDigit(expr, i + 1))) {
        while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
          i++;
        }
      } else if (isNameStart(c)) {
        int start = i;
        while (i < n && isNamePart(expr.charAt(i))) {
          i++;
        }
        String word = expr.substring(start, i);
        int next = skipSpace(expr, i);
        char after = next < n ? expr.charAt(next) : 0;
        if (LABEL_LISTS.contains(word) && after == '(') {
          i = skipTo(expr, next, ')');
        } else if (after == '(' || KEYWORDS.contains(word)) {
          // A function or an aggregation: its arguments are read as the loop goes on.
        } else if (after == '{') {
          int end = skipTo(expr, next, '}');
          out.add(word + expr.substring(next, end));
          i = end;
        } else {
          out.add(word);
        }
      } else {
        i++;
      }
    }
    return List.copyOf(out);
  }

  /**
   * Replaces Grafana's template variables ({@code $name}, {@code ${name}}, {@code [[name]]}) with
   * the given values; fails if any {@code $} is left, so that a new variable is not missed.
   */
  public static String substitute(String expr, Map<String, String> values) {
    String out = expr;
    // Longest names first, so that $__rate_interval is not taken for $__rate.
    List<String> names = new ArrayList<>(values.keySet());
    names.sort((a, b) -> b.length() - a.length());
    for (String name : names) {
      String v = values.get(name);
      out = out.replace("${" + name + "}", v).replace("[[" + name + "]]", v).replace("$" + name, v);
    }
    if (out.contains("$") || out.contains("[[")) {
      throw new IllegalArgumentException("a template variable is left in: " + out);
    }
    return out;
  }

  private static boolean isDigit(String s, int i) {
    return Character.isDigit(s.charAt(i));
  }

  private static boolean isNameStart(char c) {
    return Character.isLetter(c) || c == '_' || c == ':';
  }

  private static boolean isNamePart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The index just after the quoted string that starts at {@code i}. */
  private static int skipString(String s, int i) {
    char quote = s.charAt(i);
    i++;
    while (i < s.length() && s.charAt(i) != quote) {
      if (s.charAt(i) == '\\' && quote != '`') {
        i++;
      }
      i++;
    }
    return Math.min(i + 1, s.length());
  }

  /** The index just after the {@code close} that ends the bracket at {@code i}, quotes skipped. */
  private static int skipTo(String s, int i, char close) {
    char open = s.charAt(i);
    int depth = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(s, i);
        continue;
      }
      if (c == open) {
        depth++;
      } else if (c == close && --depth == 0) {
        return i + 1;
      }
      i++;
    }
    throw new IllegalArgumentException("unbalanced " + open + " in: " + s);
  }
}
