package io.trailkeep.pipeline;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trailkeep.detect.DetectJob;
import io.trailkeep.detect.Rule;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.storage.AwsLogKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs every rule's inline test cases through the real pipeline: each case's raw records are
 * written as AWS delivers them (CloudTrail log files, flow-log files, GuardDuty exports) into one
 * raw root, ingested by the real ingest, and the rules run by the real detect job; a positive case
 * passes when its rule alerts for it, a negative one when it does not. Cases are kept apart: each
 * gets its own account (set as the records' recipient account, the flows' account and the
 * findings' account), and every rule groups its matches by account, so one case's events never
 * count for another. Times are kept as written: the cases share a few days of partitions.
 *
 * <p>Cost: one ingest and one detect for all cases of all rules. Side effects: a scratch raw root
 * and lake under the given folder.
 */
public final class RuleTests {

  private RuleTests() {}

  /** One case's outcome. */
  public record CaseResult(String ruleId, String caseName, boolean positive, boolean passed,
      String account, long alerts) {
    @Override
    public String toString() {
      return ruleId + " " + (positive ? "positive" : "negative") + " '" + caseName + "'";
    }

    public String describe() {
      return (passed ? "PASS " : "FAIL ") + ruleId + " " + (positive ? "positive" : "negative")
          + " '" + caseName + "' (account " + account + ", " + alerts + " alerts)";
    }
  }

  /** A case placed in the raw root: its rule, account and time shift. */
  private record Placed(Rule rule, Rule.TestCase test, boolean positive, String account) {}

  /** Runs the cases of {@code rules}; {@code work} holds the scratch raw root and lake. */
  public static List<CaseResult> run(SparkSession spark, List<Rule> rules, Path work) {
    Path raw = work.resolve("raw");
    List<Placed> placed = new ArrayList<>();
    ObjectNode base = (ObjectNode) Json.parse(resource("/detect/test-base-record.json"));
    int n = 0;
    Instant earliest = null;
    Instant latest = null;
    for (Rule r : rules) {
      for (int p = 0; p < 2; p++) {
        for (Rule.TestCase c : p == 0 ? r.positive() : r.negative()) {
          String account = String.format("9%011d", n);
          Instant[] span = write(raw, base, c, account, n);
          if (span != null) {
            earliest = earliest == null || span[0].isBefore(earliest) ? span[0] : earliest;
            latest = latest == null || span[1].isAfter(latest) ? span[1] : latest;
          }
          placed.add(new Placed(r, c, p == 0, account));
          n++;
        }
      }
    }
    List<CaseResult> out = new ArrayList<>();
    if (placed.isEmpty()) {
      return out;
    }
    Lake lake = new Lake(spark, work.resolve("lake").toString());
    IngestJob.into(lake).raw(raw.toString()).execute();
    if (earliest != null) {
      DetectJob.on(lake).onlyRules(rules).days(day(earliest).minusDays(1), day(latest).plusDays(1))
          .execute();
    }
    Set<String> fired = new HashSet<>();
    Map<String, Long> counts = new java.util.HashMap<>();
    if (lake.exists(AlertsTable.NAME)) {
      for (Row a : lake.read(AlertsTable.NAME).select(col("rule_id"), col("account_id"))
          .collectAsList()) {
        String k = a.getString(0) + "@" + a.getString(1);
        fired.add(k);
        counts.merge(k, 1L, Long::sum);
      }
    }
    for (Placed p : placed) {
      String k = p.rule().id() + "@" + p.account();
      boolean alerted = fired.contains(k);
      out.add(new CaseResult(p.rule().id(), p.test().name(), p.positive(), alerted == p.positive(),
          p.account(), counts.getOrDefault(k, 0L)));
    }
    return out;
  }

  private static String resource(String name) {
    try (InputStream in = RuleTests.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static LocalDate day(Instant t) {
    return t.atZone(ZoneOffset.UTC).toLocalDate();
  }

  /** Writes one case's raw files; returns its first and last time, or null when it is empty. */
  private static Instant[] write(Path raw, ObjectNode base, Rule.TestCase c, String account,
      int index) {
    Instant earliest = null;
    Instant latest = null;
    List<ObjectNode> records = new ArrayList<>();
    int i = 0;
    for (Map<String, Object> fields : expand(c.cloudtrail(), base)) {
      ObjectNode r = base.deepCopy();
      JsonNode given = Json.MAPPER.valueToTree(fields);
      Iterator<Map.Entry<String, JsonNode>> it = given.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        r.set(e.getKey(), e.getValue());
      }
      if (!given.has("eventID")) {
        r.put("eventID", String.format("00000000-0000-4000-8000-%06d%06d", index, i));
      }
      if (!given.has("requestID")) {
        r.put("requestID", String.format("req-%06d-%06d", index, i));
      }
      r.put("recipientAccountId", account);
      Instant t = Instant.parse(r.get("eventTime").asText());
      earliest = earliest == null || t.isBefore(earliest) ? t : earliest;
      latest = latest == null || t.isAfter(latest) ? t : latest;
      records.add(r);
      i++;
    }
    List<ObjectNode> findings = new ArrayList<>();
    for (Map<String, Object> fields : c.guardduty()) {
      ObjectNode f = (ObjectNode) Json.MAPPER.valueToTree(fields);
      f.put("accountId", account);
      Instant t = Instant.parse(f.get("updatedAt").asText());
      earliest = earliest == null || t.isBefore(earliest) ? t : earliest;
      latest = latest == null || t.isAfter(latest) ? t : latest;
      findings.add(f);
    }
    List<String[]> flowLines = new ArrayList<>();
    String[] header = null;
    if (c.vpcFlow() != null) {
      String[] lines = c.vpcFlow().strip().split("\n");
      header = lines[0].trim().split("\\s+");
      int start = List.of(header).indexOf("start");
      for (int l = 1; l < lines.length; l++) {
        String[] v = lines[l].trim().split("\\s+");
        flowLines.add(v);
        if (start >= 0 && !v[start].equals("-")) {
          Instant t = Instant.ofEpochSecond(Long.parseLong(v[start]));
          earliest = earliest == null || t.isBefore(earliest) ? t : earliest;
          latest = latest == null || t.isAfter(latest) ? t : latest;
        }
      }
    }
    if (earliest == null) {
      return null;
    }
    Instant first = earliest;
    if (!records.isEmpty()) {
      StringBuilder body = new StringBuilder("{\"Records\":[");
      for (int k = 0; k < records.size(); k++) {
        ObjectNode r = records.get(k);
        body.append(k == 0 ? "" : ",").append(Json.write(r));
      }
      body.append("]}");
      gzip(raw, AwsLogKeys.cloudTrailLog(null, account, "us-east-1", first.plusSeconds(300),
          String.format("TEST%012d", index)), body.toString());
    }
    if (!findings.isEmpty()) {
      StringBuilder body = new StringBuilder();
      for (ObjectNode f : findings) {
        body.append(Json.write(f)).append('\n');
      }
      gzip(raw, AwsLogKeys.guardDuty(account, "us-east-1", first.plusSeconds(300),
          String.format("00000000-0000-4000-8000-%012d", index)), body.toString());
    }
    if (header != null) {
      List<String> h = List.of(header);
      StringBuilder body = new StringBuilder(String.join(" ", header)).append('\n');
      for (String[] v : flowLines) {
        int acct = h.indexOf("account-id");
        if (acct >= 0) {
          v[acct] = account;
        }
        body.append(String.join(" ", v)).append('\n');
      }
      gzip(raw, AwsLogKeys.flowLog(account, "us-east-1", "fl-0123456789abcdef0",
          first.minusSeconds(first.getEpochSecond() % 300), String.format("%08x", index), false, false,
          "log.gz"), body.toString());
    }
    return new Instant[] {earliest, latest};
  }

  /**
   * Expands the shorthand for many similar records: a record with {@code _repeat: N} stands for N
   * copies, {@code _every} apart (a duration, 1s by default), and {@code _cycle: {field: [values]}}
   * gives each copy the next value of each listed field.
   */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> expand(List<Map<String, Object>> records, ObjectNode base) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> r : records) {
      if (!r.containsKey("_repeat")) {
        out.add(r);
        continue;
      }
      int n = Integer.parseInt(r.get("_repeat").toString());
      Duration every = r.containsKey("_every") ? Rule.duration("test record", r.get("_every"))
          : Duration.ofSeconds(1);
      Map<String, Object> cycle = Rule.map(r.get("_cycle"));
      Instant start = Instant.parse(String.valueOf(r.getOrDefault("eventTime",
          base.get("eventTime").asText())));
      for (int k = 0; k < n; k++) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Object> e : r.entrySet()) {
          if (!e.getKey().startsWith("_")) {
            copy.put(e.getKey(), e.getValue());
          }
        }
        copy.put("eventTime", start.plus(every.multipliedBy(k)).toString());
        for (Map.Entry<String, Object> e : cycle.entrySet()) {
          List<Object> values = (List<Object>) e.getValue();
          copy.put(e.getKey(), values.get(k % values.size()));
        }
        out.add(copy);
      }
    }
    return out;
  }

  private static void gzip(Path raw, String key, String text) {
    Path p = raw.resolve(key);
    try {
      Files.createDirectories(p.getParent());
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
