package io.trailkeep.pipeline;

import static org.apache.spark.sql.functions.arrays_overlap;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Compares the {@code alerts} table with the generator's ground truth
 * ({@code <raw>/ground-truth/<scenario>.json}): for each scenario, which of its
 * {@code expected_rules} raised an alert about it (and its {@code expected_rules_after_learning}
 * when the lake's CloudTrail begins at least {@code detect.learning-days} before the scenario's
 * day), which did not, and which of its {@code must_not_fire} rules did. An alert is about a scenario when it lists one of the
 * scenario's eventIDs or findings, or names one of its entities (an address, key, instance,
 * principal) in the scenario's account within an hour before and three hours after its events
 * (flow-log alerts carry no eventIDs). Cost: one small query per scenario over the alerts table.
 */
public final class ScenarioCheck {
  private ScenarioCheck() {}

  /** One scenario's outcome. */
  public record Outcome(String scenario, boolean benign, List<String> expected, List<String> fired,
      List<String> missing, List<String> mustNotFire, List<String> firedWrongly) {
    public boolean passed() {
      return missing.isEmpty() && firedWrongly.isEmpty();
    }
  }

  /** The ground truth files under {@code raw}, by scenario name; empty when there are none. */
  public static Map<String, JsonNode> groundTruth(Lake lake, String raw) {
    Map<String, JsonNode> out = new TreeMap<>();
    Path dir = new Path(raw, "ground-truth");
    try {
      FileSystem fs = dir.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(dir)) {
        return out;
      }
      for (FileStatus f : fs.listStatus(dir)) {
        String name = f.getPath().getName();
        if (name.endsWith(".json")) {
          try (InputStream in = fs.open(f.getPath())) {
            out.put(name.substring(0, name.length() - 5),
                Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
          }
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot read the ground truth under " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Checks every scenario of {@code raw} against the lake's alerts. */
  public static List<Outcome> check(Lake lake, String raw) {
    List<Outcome> out = new ArrayList<>();
    Map<String, JsonNode> truths = groundTruth(lake, raw);
    if (truths.isEmpty()) {
      return out;
    }
    Dataset<Row> alerts = lake.exists(AlertsTable.NAME) ? lake.read(AlertsTable.NAME) : null;
    LocalDate firstDay = firstDay(lake);
    for (Map.Entry<String, JsonNode> t : truths.entrySet()) {
      JsonNode truth = t.getValue();
      List<String> expected = new ArrayList<>(texts(truth.path("expected_rules")));
      // once the lake holds the learning period before the scenario, the unusual-activity rules
      // must see it too
      if (firstDay != null && truth.hasNonNull("start") && !Instant.parse(truth.path("start").asText())
          .atZone(ZoneOffset.UTC).toLocalDate()
          .isBefore(firstDay.plusDays(ConfKey.DETECT_LEARNING_DAYS.defaultValue()))) {
        expected.addAll(texts(truth.path("expected_rules_after_learning")));
      }
      List<String> mustNot = texts(truth.path("must_not_fire"));
      Set<String> fired = alerts == null ? Set.of() : firedFor(alerts, truth);
      Set<String> byEvents = alerts == null ? Set.of() : firedOnEvents(alerts, truth);
      List<String> missing = new ArrayList<>();
      for (String r : expected) {
        if (!fired.contains(r)) {
          missing.add(r);
        }
      }
      List<String> wrong = new ArrayList<>();
      for (String r : mustNot) {
        if (byEvents.contains(r)) {
          wrong.add(r);
        }
      }
      out.add(new Outcome(t.getKey(), truth.path("benign").asBoolean(false), expected,
          List.copyOf(new TreeSet<>(fired)), missing, mustNot, wrong));
    }
    return out;
  }

  /** The lake's first CloudTrail day, or null without CloudTrail. */
  private static LocalDate firstDay(Lake lake) {
    if (!lake.exists(CloudTrailTable.NAME)) {
      return null;
    }
    Row r = lake.read(CloudTrailTable.NAME).agg(org.apache.spark.sql.functions.min(CloudTrailTable.PARTITION_COLUMN))
        .first();
    return r.isNullAt(0) ? null : r.getDate(0).toLocalDate();
  }

  /** Rules with an alert about the scenario (its events, findings, or entities in its time). */
  private static Set<String> firedFor(Dataset<Row> alerts, JsonNode truth) {
    List<String> entities = new ArrayList<>();
    collect(truth.path("entities"), entities);
    Instant start = Instant.parse(truth.path("start").asText());
    Instant end = Instant.parse(truth.path("end").asText());
    Column entity = col("source_ip").isin(entities.toArray()).or(col("resource").isin(entities.toArray()))
        .or(col("principal").isin(entities.toArray())).or(col("access_key_id").isin(entities.toArray()));
    Column near = col("account_id").equalTo(lit(truth.path("account_id").asText())).and(entity)
        .and(col("window_start").between(lit(Timestamp.from(start.minusSeconds(3600))),
            lit(Timestamp.from(end.plusSeconds(3 * 3600)))));
    Column about = arrays_overlap(col("event_ids"), arrayOf(truth.path("event_ids")))
        .or(arrays_overlap(col("finding_ids"), arrayOf(truth.path("findings"))))
        .or(near);
    return ruleIds(alerts.filter(about));
  }

  /** Rules with an alert listing one of the scenario's eventIDs. */
  private static Set<String> firedOnEvents(Dataset<Row> alerts, JsonNode truth) {
    return ruleIds(alerts.filter(arrays_overlap(col("event_ids"), arrayOf(truth.path("event_ids")))));
  }

  /** A literal array of the texts of a JSON array, or of a JSON object's values. */
  private static Column arrayOf(JsonNode node) {
    List<String> values = node.isObject() ? values(node) : texts(node);
    return lit(values.toArray(new String[0])).cast("array<string>");
  }

  private static Set<String> ruleIds(Dataset<Row> alerts) {
    Set<String> out = new TreeSet<>();
    for (Row r : alerts.select("rule_id").distinct().collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> values(JsonNode object) {
    List<String> out = new ArrayList<>();
    for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
      out.add(it.next().asText());
    }
    return out;
  }

  /** Every scalar value of an entities object, and the items of its arrays. */
  private static void collect(JsonNode node, List<String> out) {
    if (node.isContainerNode()) {
      node.forEach(n -> collect(n, out));
    } else if (!node.isNull()) {
      out.add(node.asText());
    }
  }
}
