package io.trailkeep.detect.sigma;

import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;

/**
 * Sigma's condition language over named selections: {@code not} binds tighter than {@code and},
 * which binds tighter than {@code or}; parentheses group; {@code 1 of X} and {@code all of X}
 * take a selection name with {@code *} wildcards, or {@code them} (every selection but the
 * {@code _}-prefixed helpers). A pipe (aggregation), a quantifier without its pattern or an unknown
 * name is unsupported.
 */
final class ConditionParser {
  private static final Pattern TOKEN = Pattern.compile("\\s*(\\(|\\)|[A-Za-z0-9_*.-]+|\\|.*)");
  private final List<String> tokens = new ArrayList<>();
  private final Map<String, Column> selections;
  private final String text;
  private int pos;

  ConditionParser(String text, Map<String, Column> selections) {
    this.text = text;
    this.selections = selections;
    Matcher m = TOKEN.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        if (text.substring(at).isBlank()) {
          break;
        }
        throw new SigmaCompiler.Unsupported("condition '" + text + "' has an unexpected character at "
            + at);
      }
      String t = m.group(1);
      if (t.startsWith("|")) {
        throw new SigmaCompiler.Unsupported("aggregation in condition '" + t.trim() + "'");
      }
      tokens.add(t);
      at = m.end();
    }
  }

  Column parse() {
    Column c = or();
    if (pos != tokens.size()) {
      throw new SigmaCompiler.Unsupported("condition '" + text + "': unexpected '" + tokens.get(pos) + "'");
    }
    return c;
  }

  private static boolean isOperator(String t) {
    return t.equalsIgnoreCase("and") || t.equalsIgnoreCase("or") || t.equalsIgnoreCase("not")
        || t.equalsIgnoreCase("of");
  }

  private String peek() {
    return pos < tokens.size() ? tokens.get(pos) : null;
  }

  private Column or() {
    Column c = and();
    while ("or".equalsIgnoreCase(peek())) {
      pos++;
      c = c.or(and());
    }
    return c;
  }

  private Column and() {
    Column c = not();
    while ("and".equalsIgnoreCase(peek())) {
      pos++;
      c = c.and(not());
    }
    return c;
  }

  private Column not() {
    if ("not".equalsIgnoreCase(peek())) {
      pos++;
      return not().unary_$bang();
    }
    return atom();
  }

  private Column atom() {
    String t = peek();
    if (t == null) {
      throw new SigmaCompiler.Unsupported("condition '" + text + "' ends early");
    }
    pos++;
    if (t.equals("(")) {
      Column c = or();
      if (!")".equals(peek())) {
        throw new SigmaCompiler.Unsupported("condition '" + text + "' misses a ')'");
      }
      pos++;
      return c;
    }
    if (t.equals("1") || t.equalsIgnoreCase("all") || t.equalsIgnoreCase("any")) {
      if (!"of".equalsIgnoreCase(peek())) {
        throw new SigmaCompiler.Unsupported("condition '" + text + "': '" + t + "' without 'of'");
      }
      pos++;
      String pattern = peek();
      if (pattern == null || pattern.equals("(") || pattern.equals(")") || isOperator(pattern)) {
        throw new SigmaCompiler.Unsupported("condition '" + text + "': '" + t + " of' needs a selection "
            + "name, a pattern or 'them'");
      }
      pos++;
      List<Column> matched = new ArrayList<>();
      boolean them = pattern.equals("them");
      Pattern p = Pattern.compile(them ? ".*" : SigmaCompiler.wildcards(pattern));
      for (Map.Entry<String, Column> s : selections.entrySet()) {
        // identifiers starting with '_' are helpers that 'them' and patterns leave out (Sigma's
        // specification; pySigma does the same for patterns) unless a pattern names them
        boolean helper = s.getKey().startsWith("_") && (them || !pattern.startsWith("_"));
        if (!helper && p.matcher(s.getKey()).matches()) {
          matched.add(s.getValue());
        }
      }
      if (matched.isEmpty()) {
        throw new SigmaCompiler.Unsupported("condition '" + text + "': no selection matches '" + pattern + "'");
      }
      boolean every = t.equalsIgnoreCase("all");
      Column c = lit(every);
      for (Column m : matched) {
        c = every ? c.and(m) : c.or(m);
      }
      return c;
    }
    Column s = selections.get(t);
    if (s == null) {
      throw new SigmaCompiler.Unsupported("condition '" + text + "' names no selection '" + t + "'");
    }
    return s;
  }
}
