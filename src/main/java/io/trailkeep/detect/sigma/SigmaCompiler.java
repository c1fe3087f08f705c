package io.trailkeep.detect.sigma;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.regexp_replace;

import io.trailkeep.conf.ConfException;
import io.trailkeep.detect.IpColumns;
import io.trailkeep.detect.Rule;
import io.trailkeep.detect.RuleFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;

/**
 * Compiles SigmaHQ rules whose logsource is AWS CloudTrail into TrailKeep rules whose predicate is
 * a Spark {@link Column} (built with the Column API; no rule value becomes SQL text). Supported:
 * field maps (AND of fields, a list of values is OR), lists of maps (OR), keyword lists (searched in
 * the record's text fields), {@code null}, the modifiers {@code contains}, {@code startswith},
 * {@code endswith}, {@code all}, {@code re}, {@code cidr}, {@code exists}, {@code fieldref},
 * {@code cased}, {@code lt}/{@code lte}/{@code gt}/{@code gte}, and conditions with {@code and},
 * {@code or}, {@code not}, parentheses and {@code 1 of}/{@code all of} a name pattern or
 * {@code them}. Values match case-insensitively with {@code *} and {@code ?} wildcards, as Sigma
 * specifies. Anything else (another logsource, an unknown field, a modifier such as {@code base64}
 * or {@code windash}, aggregations) is reported per rule, never silently dropped.
 *
 * <p>Field mapping: Sigma's CloudTrail field names are CloudTrail's own. Top-level fields and
 * {@code userIdentity.*} map to the table's columns and struct fields; {@code requestParameters.*},
 * {@code responseElements.*}, {@code additionalEventData.*} and {@code serviceEventDetails.*} are
 * read from the exact JSON text with JSON paths.
 */
public final class SigmaCompiler {
  private SigmaCompiler() {}

  /** The compiled rules, the files that could not be compiled and why, per file. */
  public record Report(List<Rule> rules, Map<String, String> unsupported, List<Map<String, String>> perRule) {}

  /** A construct this compiler does not support; the message names it. */
  public static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
      super(message);
    }
  }

  private static final Set<String> TOP = Set.of("eventVersion", "eventTime", "eventSource",
      "eventName", "awsRegion", "sourceIPAddress", "userAgent", "errorCode", "errorMessage",
      "requestID", "eventID", "readOnly", "eventType", "apiVersion", "managementEvent",
      "recipientAccountId", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId",
      "eventCategory", "sessionCredentialFromConsole");
  private static final Set<String> JSON_TEXT = Set.of("requestParameters", "responseElements",
      "additionalEventData", "serviceEventDetails", "addendum", "edgeDeviceDetails", "insightDetails");
  private static final Set<String> IDENTITY = Set.of("type", "principalId", "arn", "accountId",
      "accessKeyId", "userName", "invokedBy", "credentialId", "identityProvider",
      "sessionContext.attributes.creationDate", "sessionContext.attributes.mfaAuthenticated",
      "sessionContext.sessionIssuer.type", "sessionContext.sessionIssuer.principalId",
      "sessionContext.sessionIssuer.arn", "sessionContext.sessionIssuer.accountId",
      "sessionContext.sessionIssuer.userName", "sessionContext.sourceIdentity",
      "onBehalfOf.userId", "onBehalfOf.identityStoreArn");
  private static final Map<String, String> TACTICS = Map.ofEntries(
      Map.entry("reconnaissance", "TA0043"), Map.entry("resource-development", "TA0042"),
      Map.entry("initial-access", "TA0001"), Map.entry("execution", "TA0002"),
      Map.entry("persistence", "TA0003"), Map.entry("privilege-escalation", "TA0004"),
      Map.entry("defense-evasion", "TA0005"), Map.entry("stealth", "TA0005"),
      Map.entry("defense-impairment", "TA0005"), Map.entry("credential-access", "TA0006"),
      Map.entry("discovery", "TA0007"), Map.entry("lateral-movement", "TA0008"),
      Map.entry("collection", "TA0009"), Map.entry("exfiltration", "TA0010"),
      Map.entry("command-and-control", "TA0011"), Map.entry("impact", "TA0040"));

  /** Compiles every {@code .yml} of {@code dir}. */
  public static Report compileDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConfException("Sigma rule folder " + dir + " does not exist");
    }
    List<Rule> rules = new ArrayList<>();
    Map<String, String> unsupported = new LinkedHashMap<>();
    List<Map<String, String>> per = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s.sorted()::iterator) {
        String name = p.getFileName().toString();
        if (!name.endsWith(".yml") && !name.endsWith(".yaml")) {
          continue;
        }
        Map<String, String> row = new LinkedHashMap<>();
        row.put("file", name);
        try {
          Rule r = compile(name, Files.readString(p, StandardCharsets.UTF_8));
          rules.add(r);
          row.put("status", "compiled");
          row.put("id", r.id());
        } catch (Unsupported | ConfException e) {
          unsupported.put(name, e.getMessage());
          row.put("status", "unsupported");
          row.put("reason", e.getMessage());
        } catch (RuntimeException e) {
          // a file the compiler itself cannot handle is reported as such; the folder goes on
          String reason = "the compiler failed on this file (" + e.getClass().getSimpleName() + ": "
              + e.getMessage() + ")";
          unsupported.put(name, reason);
          row.put("status", "unsupported");
          row.put("reason", reason);
        }
        per.add(row);
      }
    } catch (IOException e) {
      throw new ConfException("cannot read Sigma rule folder " + dir + ": " + e.getMessage());
    }
    return new Report(rules, unsupported, per);
  }

  /** Compiles one rule file; an unsupported construct throws {@link Unsupported} naming it. */
  public static Rule compile(String fileName, String text) {
    Object y = RuleFiles.parseYaml(fileName, text);
    if (!(y instanceof Map)) {
      throw new Unsupported("not a YAML mapping");
    }
    Map<String, Object> m = map(y);
    Map<String, Object> logsource = map(m.get("logsource"));
    if (!"aws".equals(String.valueOf(logsource.get("product")))
        || !"cloudtrail".equals(String.valueOf(logsource.get("service")))) {
      throw new Unsupported("logsource " + logsource + " is not product aws, service cloudtrail");
    }
    Map<String, Object> detection = map(m.get("detection"));
    Object condition = detection.get("condition");
    if (condition == null) {
      throw new Unsupported("detection has no condition");
    }
    if (detection.containsKey("timeframe")) {
      throw new Unsupported("timeframe (aggregation over time) is not supported");
    }
    Map<String, Column> selections = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : detection.entrySet()) {
      String name = String.valueOf(e.getKey());
      if (!name.equals("condition")) {
        selections.put(name, selection(name, e.getValue()));
      }
    }
    Column predicate;
    if (condition instanceof List && ((List<?>) condition).isEmpty()) {
      throw new Unsupported("the condition is an empty list");
    } else if (condition instanceof List) {
      predicate = lit(false);
      for (Object c : (List<?>) condition) {
        predicate = predicate.or(new ConditionParser(c.toString(), selections).parse());
      }
    } else {
      predicate = new ConditionParser(condition.toString(), selections).parse();
    }
    String base = fileName.replaceAll("\\.ya?ml$", "");
    String sigmaId = String.valueOf(m.getOrDefault("id", base));
    String author = String.valueOf(m.getOrDefault("author", "unknown"));
    List<String> tactics = new ArrayList<>();
    List<String> techniques = new ArrayList<>();
    for (Object t : list(m.get("tags"))) {
      String tag = t.toString().toLowerCase(Locale.ROOT);
      if (tag.matches("attack\\.t\\d{4}(\\.\\d{3})?")) {
        techniques.add(tag.substring(7).toUpperCase(Locale.ROOT));
      } else if (tag.startsWith("attack.") && TACTICS.containsKey(tag.substring(7))) {
        String ta = TACTICS.get(tag.substring(7));
        if (!tactics.contains(ta)) {
          tactics.add(ta);
        }
      }
    }
    String level = String.valueOf(m.getOrDefault("level", "medium"));
    String severity = level.equals("informational") ? "info" : level;
    String description = String.valueOf(m.getOrDefault("description", "")).trim()
        + " (Sigma rule " + sigmaId + " by " + author + ", Detection Rule License 1.1.)";
    return new Rule("sigma-" + base, String.valueOf(m.getOrDefault("title", base)), description,
        severity, tactics, techniques, strings(m.get("references")), strings(m.get("falsepositives")),
        "Sigma rule " + sigmaId + " by " + author + "; review the matching events and the "
            + "false-positive notes.", 1, "sigma", "cloudtrail", Rule.Type.PREDICATE, null, List.of(),
        null, 0, null, null, null, null, List.of(), null, null, null, Map.of(),
        new Rule.Suppression(List.of(), List.of(), List.of(), null), List.of(), List.of(), predicate);
  }

  /**
   * A named selection: a field map (AND) or a list of field maps (OR). An empty map or list would
   * match everything or nothing, and keywords (plain values) search a whole event that CloudTrail
   * rows do not have as one text: each is reported unsupported rather than approximated.
   */
  private static Column selection(String name, Object value) {
    if (value instanceof Map) {
      Map<String, Object> fields = map(value);
      if (fields.isEmpty()) {
        throw new Unsupported("selection '" + name + "' is an empty map");
      }
      Column all = lit(true);
      for (Map.Entry<String, Object> f : fields.entrySet()) {
        all = all.and(field(String.valueOf(f.getKey()), f.getValue()));
      }
      return all;
    }
    if (value instanceof List) {
      List<?> items = (List<?>) value;
      if (items.isEmpty()) {
        throw new Unsupported("selection '" + name + "' is an empty list");
      }
      if (items.stream().allMatch(i -> i instanceof Map)) {
        Column any = lit(false);
        for (Object i : items) {
          any = any.or(selection(name, i));
        }
        return any;
      }
      if (items.stream().anyMatch(i -> i instanceof Map)) {
        throw new Unsupported("selection '" + name + "' mixes field maps and keywords");
      }
      throw new Unsupported("selection '" + name + "' is a keyword search (values without fields), "
          + "which has no exact form over CloudTrail's fields");
    }
    throw new Unsupported("selection '" + name + "' is neither a field map nor a list of field maps");
  }

  /** One field condition with its modifiers. */
  private static Column field(String spec, Object value) {
    String[] parts = spec.split("\\|");
    String name = parts[0];
    String match = "equals";
    boolean all = false;
    boolean cased = false;
    for (int i = 1; i < parts.length; i++) {
      switch (parts[i]) {
        case "contains":
        case "startswith":
        case "endswith":
        case "re":
        case "cidr":
        case "exists":
        case "fieldref":
        case "lt":
        case "lte":
        case "gt":
        case "gte":
          if (!match.equals("equals")) {
            throw new Unsupported("modifiers '" + match + "' and '" + parts[i] + "' together (field " + name + ")");
          }
          match = parts[i];
          break;
        case "all":
          all = true;
          break;
        case "cased":
          cased = true;
          break;
        default:
          throw new Unsupported("modifier '" + parts[i] + "' (field " + name + ")");
      }
    }
    Column column = column(name);
    if (match.equals("exists")) {
      if (!(value instanceof Boolean)) {
        throw new Unsupported("'exists' takes true or false, got '" + value + "' (field " + name + ")");
      }
      return (Boolean) value ? column.isNotNull() : column.isNull();
    }
    List<?> values = value instanceof List ? (List<?>) value : java.util.Collections.singletonList(value);
    if (values.isEmpty()) {
      throw new Unsupported("field " + name + " has an empty list of values");
    }
    if (all && values.size() < 2) {
      throw new Unsupported("'all' needs several values (field " + name + ")");
    }
    Column out = all ? lit(true) : lit(false);
    for (Object v : values) {
      Column one;
      if (v instanceof Map || v instanceof List) {
        throw new Unsupported("field " + name + " has a value that is a " + (v instanceof Map ? "map" : "list"));
      } else if ((v instanceof Double || v instanceof Float || v instanceof java.math.BigDecimal)
          && !List.of("lt", "lte", "gt", "gte").contains(match)) {
        throw new Unsupported("field " + name + " has a decimal number (" + v + "), whose text YAML does not "
            + "keep; quote it");
      } else if (v == null) {
        if (!match.equals("equals")) {
          throw new Unsupported("'" + match + "' with a null value (field " + name + ")");
        }
        one = column.isNull();
      } else if (match.equals("fieldref")) {
        Column other = column(v.toString());
        one = cased ? column.equalTo(other) : lower(column).equalTo(lower(other));
      } else {
        one = matches(column, v, match, cased);
      }
      out = all ? out.and(one) : out.or(one);
    }
    return coalesce(out, lit(false));
  }

  /** The column of a Sigma CloudTrail field name; an unknown field is unsupported. */
  static Column column(String name) {
    if (TOP.contains(name)) {
      return col(name).cast("string");
    }
    int dot = name.indexOf('.');
    String head = dot < 0 ? name : name.substring(0, dot);
    if (JSON_TEXT.contains(head)) {
      // the whole text as a reader sees it: documents nested as JSON strings (IAM policies)
      // unescaped, so a Sigma value such as '"s3:GetObject"' matches inside them
      return dot < 0 ? regexp_replace(col(head), "\\\\\"", "\"")
          : jsonPath(col(head), name.substring(dot + 1).split("\\."));
    }
    if (head.equals("userIdentity") && dot > 0 && IDENTITY.contains(name.substring(dot + 1))) {
      return col(name);
    }
    throw new Unsupported("field '" + name + "' is not a CloudTrail field");
  }

  /**
   * A path into JSON text. Sigma writes {@code a.b} also where {@code a} is an array of objects
   * (ECS containerDefinitions, Lambda layers): the exact path first, then the path with one
   * segment read as an array ({@code $.a[*].b}, whose value is the JSON array of the matches).
   */
  private static Column jsonPath(Column text, String[] segments) {
    List<Column> tries = new ArrayList<>();
    tries.add(get_json_object(text, "$." + String.join(".", segments)));
    for (int i = 0; i < segments.length - 1; i++) {
      StringBuilder p = new StringBuilder("$");
      for (int j = 0; j < segments.length; j++) {
        p.append('.').append(segments[j]).append(j == i ? "[*]" : "");
      }
      tries.add(get_json_object(text, p.toString()));
    }
    return tries.size() == 1 ? tries.get(0) : coalesce(tries.toArray(new Column[0]));
  }

  private static Column matches(Column column, Object value, String how, boolean cased) {
    String v = value.toString();
    if (value instanceof Boolean) {
      v = v.toLowerCase(Locale.ROOT);
    }
    switch (how) {
      case "re":
        return column.rlike(v);
      case "cidr":
        return IpColumns.inNetwork(column, v);
      case "lt":
      case "lte":
      case "gt":
      case "gte":
        double n;
        try {
          n = Double.parseDouble(v);
        } catch (NumberFormatException e) {
          throw new Unsupported("'" + how + "' with a value that is not a number: " + v);
        }
        Column c = column.cast("double");
        return how.equals("lt") ? c.lt(n) : how.equals("lte") ? c.leq(n) : how.equals("gt") ? c.gt(n) : c.geq(n);
      default:
        break;
    }
    String body = cased ? v : v.toLowerCase(Locale.ROOT);
    Column subject = cased ? column : lower(column);
    boolean plain = body.indexOf('*') < 0 && body.indexOf('?') < 0 && body.indexOf('\\') < 0;
    if (plain && how.equals("equals")) {
      return subject.equalTo(body);
    }
    // the value's own wildcards and escapes first, then the modifier's: a trailing backslash stays one
    String regex = "^" + (how.equals("contains") || how.equals("endswith") ? ".*" : "") + wildcards(body)
        + (how.equals("contains") || how.equals("startswith") ? ".*" : "") + "$";
    return subject.rlike("(?s)" + regex);
  }

  /** Sigma wildcards to a regular expression: {@code *}, {@code ?}, and backslash escapes. */
  static String wildcards(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && "*?\\".indexOf(s.charAt(i + 1)) >= 0) {
        b.append(Pattern.quote(String.valueOf(s.charAt(++i))));
      } else if (c == '*') {
        b.append(".*");
      } else if (c == '?') {
        b.append('.');
      } else {
        b.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return b.toString();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map ? (Map<String, Object>) o : Map.of();
  }

  static List<?> list(Object o) {
    return o instanceof List ? (List<?>) o : o == null ? List.of() : List.of(o);
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    for (Object x : list(o)) {
      out.add(String.valueOf(x));
    }
    return out;
  }
}
