package io.trailkeep.detect;

import io.trailkeep.conf.ConfException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;

/**
 * One detection rule, as written in a rule file: metadata (what an analyst reads in an alert),
 * logic over one table (a row predicate, a count over a time window, a sequence of two conditions
 * on the same entity, or a query), the alert's entities, suppression, and inline test cases. The
 * id is the file name. Immutable; parsed from the file's YAML by {@link RuleFiles}.
 *
 * <p>{@code where} is Spark SQL expression text written by the rule's author (rules are code,
 * reviewed like code); log values and user arguments never become SQL text. A rule compiled from
 * Sigma carries its predicate as a {@link Column} in {@code condition} instead.
 *
 * @param positive cases that must fire
 * @param negative cases that must not
 */
public record Rule(String id, String title, String description, String severity,
    List<String> tactics, List<String> techniques, List<String> references,
    List<String> falsePositives, String runbook, int version, String source, String table,
    Type type, String where, List<String> groupBy, Duration window, long threshold,
    String countDistinct, String having, String first, String then, List<String> by, String linkFirst,
    String linkThen, String query, Map<String, String> entities, Suppression suppress,
    List<TestCase> positive, List<TestCase> negative, Column condition) {

  /** The kinds of logic. */
  public enum Type { PREDICATE, THRESHOLD, SEQUENCE, QUERY }

  /** Severities, lowest first. */
  public static final List<String> SEVERITIES = io.trailkeep.conf.Severity.labels();

  /** Tables a rule may read. */
  public static final Set<String> TABLES = java.util.Collections.unmodifiableSet(
      new java.util.LinkedHashSet<>(io.trailkeep.schema.Source.mainTables()));

  /** Allow-lists and the window within which one entity's matches make one alert. */
  public record Suppression(List<String> principals, List<String> accounts, List<String> addresses,
      Duration window) {}

  /**
   * One inline case: raw records as AWS delivers them - CloudTrail records (completed from the
   * test base record where a field is left out), flow-log file text, GuardDuty finding lines.
   */
  public record TestCase(String name, List<Map<String, Object>> cloudtrail, String vpcFlow,
      List<Map<String, Object>> guardduty) {}

  /** This rule with other test cases (cases written apart from the rule, as for Sigma rules). */
  public Rule withCases(List<TestCase> positiveCases, List<TestCase> negativeCases) {
    return new Rule(id, title, description, severity, tactics, techniques, references,
        falsePositives, runbook, version, source, table, type, where, groupBy, window, threshold,
        countDistinct, having, first, then, by, linkFirst, linkThen, query, entities, suppress,
        List.copyOf(positiveCases), List.copyOf(negativeCases), condition);
  }

  /** The longest time a rule looks back from an event (windows, sequences), for incremental runs. */
  public Duration reach() {
    return window == null ? Duration.ZERO : window;
  }

  /** The keys a rule file may hold, per level: anything else is a mistake we name. */
  static final List<String> KEYS = List.of("id", "title", "description", "severity", "mitre", "references",
      "false_positives", "runbook", "version", "type", "table", "where", "query", "group_by", "window",
      "threshold", "count_distinct", "having", "first", "then", "by", "link", "entities", "suppress", "tests");
  private static final List<String> MITRE_KEYS = List.of("tactics", "techniques");
  private static final List<String> LINK_KEYS = List.of("first", "then");
  private static final List<String> SUPPRESS_KEYS = List.of("principals", "accounts", "addresses", "window");
  private static final List<String> TESTS_KEYS = List.of("positive", "negative");
  private static final List<String> CASE_KEYS = List.of("name", "cloudtrail", "vpc_flow", "guardduty");

  /**
   * The map at {@code where}, whose keys must all be among {@code allowed}: a misspelt key (or a
   * scalar where a map belongs) is an {@link IllegalArgumentException} naming it, never ignored.
   */
  private static Map<String, Object> checked(String where, Object o, List<String> allowed) {
    if (o == null) {
      return Map.of();
    }
    if (!(o instanceof Map)) {
      throw new IllegalArgumentException((where.isEmpty() ? "the file" : "'" + where + "'")
          + " must be a mapping with keys among " + allowed + ", got '" + o + "'");
    }
    Map<String, Object> m = map(o);
    for (Object k : m.keySet()) {
      if (!allowed.contains(String.valueOf(k))) {
        throw new IllegalArgumentException("unknown key '" + (where.isEmpty() ? "" : where + ".") + k
            + "' (" + (where.isEmpty() ? "a rule" : "'" + where + "'") + " takes " + String.join(", ", allowed) + ")");
      }
    }
    return m;
  }

  /** Builds a rule from its file's parsed YAML; {@code sql} is the sibling .sql file or null. */
  @SuppressWarnings("unchecked")
  static Rule fromYaml(String id, String source, Map<String, Object> y, String sql) {
    checked("", y, KEYS);
    Object declared = y.get("id");
    if (declared != null && !declared.toString().equals(id)) {
      throw new ConfException("rule " + id + ": id '" + declared + "' differs from its file name");
    }
    String typeName = str(y, "type", "predicate");
    Type type;
    try {
      type = Type.valueOf(typeName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("type '" + typeName + "' is not one of predicate, threshold, sequence, query");
    }
    String table = str(y, "table", "cloudtrail");
    if (!TABLES.contains(table)) {
      throw new ConfException("rule " + id + ": table '" + table + "' is not one of " + TABLES);
    }
    Map<String, Object> mitre = checked("mitre", y.get("mitre"), MITRE_KEYS);
    Map<String, Object> suppress = checked("suppress", y.get("suppress"), SUPPRESS_KEYS);
    Map<String, Object> tests = checked("tests", y.get("tests"), TESTS_KEYS);
    Map<String, Object> link = checked("link", y.get("link"), LINK_KEYS);
    String where = str(y, "where", null);
    String query = str(y, "query", null);
    if (sql != null) {
      if (type == Type.QUERY && query == null) {
        query = sql;
      } else if (where == null) {
        where = sql;
      }
    }
    Map<String, String> entities = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : checked("entities", y.get("entities"), Entities.COLUMNS).entrySet()) {
      entities.put(e.getKey(), String.valueOf(e.getValue()));
    }
    return new Rule(id, str(y, "title", null), str(y, "description", null),
        str(y, "severity", null), strings(mitre.get("tactics")), strings(mitre.get("techniques")),
        strings(y.get("references")), strings(y.get("false_positives")), str(y, "runbook", null),
        y.get("version") == null ? 0 : Integer.parseInt(y.get("version").toString()), source, table,
        type, where, strings(y.get("group_by")), duration(id, y.get("window")),
        y.get("threshold") == null ? 0 : Long.parseLong(y.get("threshold").toString()),
        str(y, "count_distinct", null), str(y, "having", null), str(y, "first", null), str(y, "then", null),
        strings(y.get("by")), link.get("first") == null ? null : link.get("first").toString(),
        link.get("then") == null ? null : link.get("then").toString(), query, entities,
        new Suppression(strings(suppress.get("principals")), strings(suppress.get("accounts")),
            strings(suppress.get("addresses")), duration(id, suppress.get("window"))),
        cases("tests.positive", tests.get("positive")), cases("tests.negative", tests.get("negative")), null);
  }

  /** What is missing or wrong in the metadata and logic; empty when the rule is complete. */
  public List<String> lint() {
    List<String> problems = new ArrayList<>();
    if (blank(title)) {
      problems.add("no title");
    }
    if (blank(description)) {
      problems.add("no description");
    }
    if (severity == null || !SEVERITIES.contains(severity)) {
      problems.add("severity must be one of " + SEVERITIES);
    }
    if (techniques.isEmpty() || !techniques.stream().allMatch(t -> t.matches("T\\d{4}(\\.\\d{3})?"))) {
      problems.add("MITRE technique ids (T1234 or T1234.001) are required");
    }
    if (tactics.isEmpty() || !tactics.stream().allMatch(t -> t.matches("TA\\d{4}"))) {
      problems.add("MITRE tactic ids (TA0001) are required");
    }
    if (references.isEmpty()) {
      problems.add("no references");
    }
    if (falsePositives.isEmpty()) {
      problems.add("no false-positive notes");
    }
    if (blank(runbook)) {
      problems.add("no runbook line");
    }
    if (version < 1) {
      problems.add("version must be 1 or more");
    }
    switch (type) {
      case PREDICATE:
        if (condition == null) {
          require(problems, where, "where");
        }
        break;
      case THRESHOLD:
        require(problems, where, "where");
        if (window == null || threshold < 1) {
          problems.add("a threshold rule needs window and threshold");
        }
        break;
      case SEQUENCE:
        require(problems, first, "first");
        require(problems, then, "then");
        if (window == null || by.isEmpty()) {
          problems.add("a sequence rule needs window and by");
        }
        break;
      default:
        require(problems, query, "query");
    }
    if (positive.isEmpty() || negative.isEmpty()) {
      problems.add("at least one positive and one negative test case");
    }
    return problems;
  }

  private static void require(List<String> problems, String value, String name) {
    if (blank(value)) {
      problems.add("no " + name);
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String str(Map<String, Object> y, String key, String fallback) {
    Object v = y.get(key);
    return v == null ? fallback : v.toString().trim();
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object o) {
    return o instanceof Map ? (Map<String, Object>) o : Map.of();
  }

  static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List) {
      for (Object e : (List<?>) o) {
        out.add(String.valueOf(e));
      }
    } else if (o != null) {
      out.add(o.toString());
    }
    return List.copyOf(out);
  }

  /** {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}. */
  public static Duration duration(String id, Object o) {
    if (o == null) {
      return null;
    }
    String s = o.toString().trim();
    try {
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      switch (s.charAt(s.length() - 1)) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        case 'd':
          return Duration.ofDays(n);
        default:
          break;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw new ConfException("rule " + id + ": duration '" + s + "' must be a number and s, m, h or d");
  }

  @SuppressWarnings("unchecked")
  private static List<TestCase> cases(String where, Object o) {
    List<TestCase> out = new ArrayList<>();
    if (o == null) {
      return out;
    }
    if (!(o instanceof List)) {
      throw new IllegalArgumentException("'" + where + "' must be a list of cases, got '" + o + "'");
    }
    int i = 0;
    for (Object c : (List<?>) o) {
      i++;
      if (c instanceof List) {
        out.add(new TestCase("case " + i, (List<Map<String, Object>>) c, null, List.of()));
        continue;
      }
      Map<String, Object> m = checked(where + "[" + i + "]", c, CASE_KEYS);
      Object ct = m.get("cloudtrail");
      Object gd = m.get("guardduty");
      out.add(new TestCase(m.getOrDefault("name", "case " + i).toString(),
          ct instanceof List ? (List<Map<String, Object>>) ct : List.of(),
          m.get("vpc_flow") == null ? null : m.get("vpc_flow").toString(),
          gd instanceof List ? (List<Map<String, Object>>) gd : List.of()));
    }
    return List.copyOf(out);
  }
}
