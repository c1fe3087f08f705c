package io.trailkeep.detect;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.trailkeep.conf.ConfException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;

/**
 * A user's exceptions to the rules (tuning as data): a YAML file listing, per exception, the rule
 * it quiets, conditions on the alert's entity columns, why, who owns it and until when. An alert
 * an exception matches is kept in the {@code alerts} table with the exception's id in
 * {@code suppressed_by}; correlation does not seed incidents from it. An exception applies to
 * alerts whose evidence ends before the end of its {@code expires} day (UTC), so whether an alert
 * is suppressed depends on the file and the alert, never on the day detect ran; an alert that
 * grows past the day surfaces. A rule over GuardDuty findings takes no exception.
 *
 * <pre>
 * exceptions:
 *   - id: deployer-recreates-log-groups
 *     rule: cloudwatch-log-group-deleted
 *     where:
 *       principal: arn:aws:iam::111122223333:role/deployer
 *       region: [eu-west-1, us-east-1]       # any of these
 *       resource: "/aws/lambda/build-*"       # '*' matches any text
 *     reason: the pipeline recreates its log groups on every release
 *     owner: platform-team@example.com
 *     expires: 2027-06-30
 * </pre>
 *
 * <p>Cost: parsing a small file; the suppression is one Column expression. No side effects.
 */
public final class RuleExceptions {
  /** The alert columns an exception may put conditions on. */
  public static final List<String> COLUMNS = List.of("account_id", "region", "principal", "access_key_id",
      "source_ip", "resource");

  private static final Set<String> FIELDS = Set.of("id", "rule", "where", "reason", "owner", "expires");
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,79}");

  /** One exception: all its conditions must hold (a list of values: any of them). */
  public record Entry(String id, String rule, Map<String, List<String>> where, String reason, String owner,
      LocalDate expires) {
    /** True when the exception no longer applies to evidence of {@code day}. */
    public boolean expiredOn(LocalDate day) {
      return day.isAfter(expires);
    }
  }

  private final String source;
  private final List<Entry> entries;

  private RuleExceptions(String source, List<Entry> entries) {
    this.source = source;
    this.entries = List.copyOf(entries);
  }

  /** No exceptions (the default: TrailKeep ships none). */
  public static RuleExceptions none() {
    return new RuleExceptions("", List.of());
  }

  /** Where the exceptions came from (the file's URI; empty for none). */
  public String source() {
    return source;
  }

  public List<Entry> entries() {
    return entries;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * The exceptions of the file at {@code uri} (a local path or any Hadoop file system URI), each
   * checked against {@code knownRules}; none when {@code uri} is empty.
   *
   * @throws ConfException naming the file, the exception and the problem, when the file cannot be
   *     read or is not a valid exceptions file
   */
  public static RuleExceptions load(Configuration hadoop, String uri, Map<String, Boolean> knownRules) {
    if (uri == null || uri.isBlank()) {
      return none();
    }
    String text;
    try {
      Path p = new Path(uri);
      FileSystem fs = p.getFileSystem(hadoop);
      if (!fs.exists(p)) {
        throw new ConfException("detect.exceptions: no file at " + uri
            + "; give the path of your exceptions YAML, or leave the key empty for none");
      }
      try (InputStream in = fs.open(p)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new ConfException("detect.exceptions: cannot read " + uri + ": " + e.getMessage());
    }
    return parse(uri, text, knownRules);
  }

  /**
   * The exceptions of {@code text}; {@code name} names the file in errors. {@code knownRules}: the
   * rule ids detect knows, each with whether it reads GuardDuty findings (such a rule cannot take
   * an exception: the finding itself seeds the incident, so quieting the alert would hide nothing).
   */
  public static RuleExceptions parse(String name, String text, Map<String, Boolean> knownRules) {
    Object doc = RuleFiles.parseYaml(name, text);
    if (doc == null) {
      return new RuleExceptions(name, List.of());
    }
    if (!(doc instanceof Map<?, ?> top) || !top.keySet().equals(Set.of("exceptions"))
        || !(top.get("exceptions") instanceof List<?> list)) {
      throw problem(name, null, "the file must hold one key, 'exceptions', with a list of exceptions");
    }
    List<Entry> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int n = 0;
    for (Object item : list) {
      n++;
      String where = "exception " + n;
      if (!(item instanceof Map<?, ?> m)) {
        throw problem(name, where, "is not a map of id, rule, where, reason, owner, expires");
      }
      for (Object k : m.keySet()) {
        if (!FIELDS.contains(String.valueOf(k))) {
          throw problem(name, where, "has an unknown field '" + k + "'; the fields are " + new java.util.TreeSet<>(FIELDS));
        }
      }
      String id = text(name, where, m, "id");
      if (!ID.matcher(id).matches()) {
        throw problem(name, where, "has id '" + id + "'; use lower-case letters, digits and '-'");
      }
      where = "exception '" + id + "'";
      if (!ids.add(id)) {
        throw problem(name, where, "is listed twice; ids must be unique");
      }
      String rule = text(name, where, m, "rule");
      if (!knownRules.containsKey(rule)) {
        throw problem(name, where, "names rule '" + rule + "', which is not a rule of this lake's detect "
            + "(list them with: trailkeep detect --list)");
      }
      if (knownRules.get(rule)) {
        throw problem(name, where, "names rule '" + rule + "', which reads GuardDuty findings; a finding "
            + "seeds incidents itself, so quiet it in GuardDuty (archive it, or a suppression rule there)");
      }
      String reason = text(name, where, m, "reason");
      String owner = text(name, where, m, "owner");
      LocalDate expires;
      Object e = m.get("expires");
      try {
        expires = e instanceof LocalDate d ? d : LocalDate.parse(String.valueOf(e));
      } catch (DateTimeParseException ex) {
        throw problem(name, where, e == null ? "has no 'expires' (YYYY-MM-DD): every exception needs an end"
            : "has expires '" + e + "', not a day (YYYY-MM-DD)");
      }
      if (!(m.get("where") instanceof Map<?, ?> cond) || cond.isEmpty()) {
        throw problem(name, where, "needs 'where': at least one condition on " + COLUMNS
            + " (an exception for every alert of a rule is detect.disabled-rules)");
      }
      Map<String, List<String>> conditions = new LinkedHashMap<>();
      for (Map.Entry<?, ?> c : cond.entrySet()) {
        String column = String.valueOf(c.getKey());
        if (!COLUMNS.contains(column)) {
          throw problem(name, where, "has a condition on '" + column + "'; conditions may name " + COLUMNS);
        }
        List<String> values = new ArrayList<>();
        List<?> given = c.getValue() instanceof List<?> vs ? vs : java.util.Collections.singletonList(c.getValue());
        for (Object v : given) {
          if (v instanceof Map || v instanceof List) {
            throw problem(name, where, "has a condition on '" + column + "' that is not text or a list of text");
          }
          if (v != null && column.equals("account_id") && !String.valueOf(v).matches("[0-9]{12}|.*[*].*")) {
            throw problem(name, where, "has account_id '" + v + "'; an account id is 12 digits (quote it)");
          }
          values.add(v == null ? "" : String.valueOf(v));
        }
        values.removeIf(String::isEmpty);
        if (values.isEmpty()) {
          throw problem(name, where, "has an empty condition on '" + column + "'");
        }
        conditions.put(column, List.copyOf(values));
      }
      out.add(new Entry(id, rule, conditions, reason, owner, expires));
    }
    return new RuleExceptions(name, out);
  }

  private static String text(String file, String where, Map<?, ?> m, String field) {
    Object v = m.get(field);
    if (v == null || String.valueOf(v).isBlank()) {
      throw problem(file, where, "has no '" + field + "'");
    }
    if (v instanceof Map || v instanceof List) {
      throw problem(file, where, "has a '" + field + "' that is not text");
    }
    return String.valueOf(v).strip();
  }

  private static ConfException problem(String file, String where, String what) {
    return new ConfException("exceptions file " + file + ": " + (where == null ? "" : where + " ") + what);
  }

  /**
   * The id of the first exception that matches an alert row (columns rule_id, window_start and
   * {@link #COLUMNS}), else null. Built from Column expressions: the file's values are literals,
   * never SQL text.
   */
  public Column suppressedBy() {
    if (entries.isEmpty()) {
      return lit(null).cast("string");
    }
    Column out = null;
    // one flat CASE, first match first (not one CASE nested per exception)
    for (Entry e : entries) {
      // all the alert's evidence within the exception's days: an alert that grows past them surfaces
      Column match = col("rule_id").equalTo(lit(e.rule()))
          .and(col("window_end").lt(lit(Timestamp.from(e.expires().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()))));
      for (Map.Entry<String, List<String>> c : e.where().entrySet()) {
        Column any = lit(false);
        for (String v : c.getValue()) {
          any = any.or(v.contains("*") ? col(c.getKey()).like(likePattern(v)) : col(c.getKey()).equalTo(lit(v)));
        }
        match = match.and(any);
      }
      out = out == null ? when(match, lit(e.id())) : out.when(match, lit(e.id()));
    }
    return out;
  }

  /** A LIKE pattern for a value where '*' matches any text and everything else is literal. */
  static String likePattern(String glob) {
    StringBuilder b = new StringBuilder();
    for (char ch : glob.toCharArray()) {
      switch (ch) {
        case '*' -> b.append('%');
        case '%', '_', '\\' -> b.append('\\').append(ch);
        default -> b.append(ch);
      }
    }
    return b.toString();
  }
}
