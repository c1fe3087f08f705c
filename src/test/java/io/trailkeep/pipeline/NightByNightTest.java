package io.trailkeep.pipeline;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.correlate.CorrelateJob;
import io.trailkeep.detect.DetectJob;
import io.trailkeep.generate.DayDelivery;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.IncidentTables;
import io.trailkeep.schema.VpcFlowTable;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same four days of an organization (every source, every scenario) processed two ways: all at
 * once (one ingest, detect and correlate), and night by night as S3 delivers them (each night the
 * objects whose key holds that day are added to the raw folder, then ingest, detect and correlate
 * run as a nightly batch does). Both lakes must hold the same alerts (ids, evidence, times) and the
 * same incidents (ids and the rows of their timelines); no alert or incident starts before its
 * evidence.
 */
class NightByNightTest {
  private static final LocalDate START = LocalDate.of(2026, 4, 6);
  private static final int DAYS = 4;
  private static Lake once;
  private static Lake nightly;
  private static final List<CorrelateJob.Result> nights = new ArrayList<>();

  @BeforeAll
  static void processBothWays() throws IOException {
    Path raw = TestSpark.tempDir("nights-raw");
    Generator.with(new Configuration()).raw(raw.toString()).events(2400).days(DAYS).accounts(2)
        .seed(27).start(START).scenarios(List.of("all")).execute();
    once = new Lake(TestSpark.get(), TestSpark.tempDir("nights-once").toString());
    IngestJob.into(once).raw(raw.toString()).execute();
    detect(once);
    CorrelateJob.on(once).execute();

    nightly = new Lake(TestSpark.get(), TestSpark.tempDir("nights-nightly").toString());
    Path delivered = TestSpark.tempDir("nights-delivered");
    // the night after the last day delivers that day's late files
    for (int n = 0; n <= DAYS; n++) {
      DayDelivery.deliver(raw, delivered, START.plusDays(n));
      IngestJob.into(nightly).raw(delivered.toString()).execute();
      detect(nightly);
      nights.add(CorrelateJob.on(nightly).execute());
    }
  }

  /** Runs detect; every rule must run (a failed rule would leave both lakes equally short). */
  private static void detect(Lake lake) {
    DetectJob.Result r = DetectJob.on(lake).execute();
    assertEquals(0, r.rulesFailed(), r.failures().toString());
  }

  /** Per alert id: its rule, times, evidence, severity and resource (which may describe the evidence). */
  private static Map<String, String> alerts(Lake lake) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : lake.read(AlertsTable.NAME).select("alert_id", "rule_id", "window_start", "window_end",
        "event_ids", "finding_ids", "severity", "resource", "event_count").collectAsList()) {
      out.put(r.getString(0), r.getString(1) + " " + r.get(2) + ".." + r.get(3) + " " + r.getList(4)
          + " " + r.getList(5) + " " + r.getString(6) + " " + r.getString(7) + " " + r.get(8));
    }
    return out;
  }

  /** Per incident id: its severity, times and the sorted rows (source, ref, target, count) of its timeline. */
  private static Map<String, String> incidents(Lake lake) {
    Map<String, List<String>> rows = new TreeMap<>();
    for (Row r : lake.read(IncidentTables.TIMELINE).select("incident_id", "source", "ref", "target", "count")
        .collectAsList()) {
      rows.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r.getString(1) + ":" + r.getString(2)
          + " " + r.getString(3) + " x" + r.get(4));
    }
    Map<String, String> out = new TreeMap<>();
    for (Row r : lake.read(IncidentTables.INCIDENTS).select("incident_id", "severity", "first_time", "last_time")
        .collectAsList()) {
      List<String> refs = new ArrayList<>(rows.getOrDefault(r.getString(0), List.of()));
      refs.sort(null);
      out.put(r.getString(0), r.getString(1) + " " + r.get(2) + ".." + r.get(3) + " " + refs);
    }
    return out;
  }

  @Test
  void nightByNightGivesTheAlertsOfOneRun() {
    Dataset<Row> stored = nightly.read(AlertsTable.NAME);
    assertEquals(stored.count(), stored.select("alert_id").distinct().count(), "no alert is doubled");
    Map<String, String> expected = alerts(once);
    Map<String, String> actual = alerts(nightly);
    assertFalse(expected.isEmpty());
    assertEquals(difference(expected, actual), difference(actual, expected),
        "alerts only in one of the two lakes (left: one run, right: night by night)");
    assertEquals(expected, actual);
  }

  @Test
  void nightByNightGivesTheIncidentsOfOneRun() {
    Map<String, String> expected = incidents(once);
    Map<String, String> actual = incidents(nightly);
    assertTrue(expected.size() >= 5, expected.keySet().toString());
    assertEquals(difference(expected, actual), difference(actual, expected),
        "incidents only in one of the two lakes (left: one run, right: night by night)");
    assertEquals(expected, actual);
  }

  @Test
  void eachNightRebuildsOnlyTheIncidentsItsDaysTouch() {
    assertEquals(nights.get(0).incidents(), nights.get(0).incidentsRebuilt(), "the first night builds every incident");
    // the last night delivers only the last day's late files: the incidents of earlier days stay
    CorrelateJob.Result last = nights.get(DAYS);
    assertTrue(last.incidentsRebuilt() < last.incidents(), "the last night rebuilt " + last.incidentsRebuilt()
        + " of " + last.incidents() + " incidents");
    long quiet = nights.stream().filter(n -> n.incidentsRebuilt() < n.incidents()).count();
    assertTrue(quiet >= 2, "nights that left incidents alone: " + nights);
    // nothing new: nothing rebuilt, nothing written
    CorrelateJob.Result again = CorrelateJob.on(nightly).execute();
    assertEquals(0, again.incidentsRebuilt(), again.toString());
    assertTrue(again.unchanged(), again.toString());
  }

  @Test
  void noAlertOrIncidentStartsBeforeItsEvidence() {
    for (Lake lake : List.of(once, nightly)) {
      // an alert starts with the earliest evidence it lists: a CloudTrail event, a flow record, or
      // the first sight of a finding's activity (alerts whose lists are capped are left out)
      Dataset<Row> alerts = lake.read(AlertsTable.NAME).filter(size(col("event_ids")).lt(500));
      Dataset<Row> events = alerts.select(col("alert_id"), col("window_start"), explode(col("event_ids")).alias("e"))
          .join(lake.read(CloudTrailTable.NAME).select("eventID", "eventTime"), col("e").equalTo(col("eventID")))
          .select(col("alert_id"), col("window_start"), col("eventTime").alias("t"));
      Dataset<Row> findings = alerts.select(col("alert_id"), col("window_start"), explode(col("finding_ids")).alias("f"))
          .join(lake.read(GuardDutyTable.NAME).select(col("id"), coalesce(col("first_seen"), col("createdAt"))
              .alias("t")), col("f").equalTo(col("id")))
          .select(col("alert_id"), col("window_start"), col("t"));
      Dataset<Row> flows = alerts.select(col("alert_id"), col("window_start"), explode(col("event_ids")).alias("e"))
          .join(lake.read(VpcFlowTable.NAME).select(concat(lit("flow:"), col("record_hash").cast("string"))
              .alias("ref"), col("start_time").alias("t")), col("e").equalTo(col("ref")))
          .select(col("alert_id"), col("window_start"), col("t"));
      Dataset<Row> listed = events.unionByName(findings).unionByName(flows).groupBy("alert_id", "window_start")
          .agg(min("t").alias("t0"));
      List<Row> early = listed.filter(col("window_start").notEqual(col("t0"))).collectAsList();
      assertTrue(early.isEmpty(), "alerts that do not start with the evidence they list: " + early);
      // an incident's times are those of the evidence its timeline holds
      Dataset<Row> held = lake.read(IncidentTables.TIMELINE).filter(col("source").notEqual("alert"))
          .groupBy("incident_id").agg(min("time").alias("t0"), max("time").alias("t1"));
      List<Row> off = lake.read(IncidentTables.INCIDENTS).join(held, "incident_id")
          .filter(col("first_time").notEqual(col("t0")).or(col("last_time").lt(col("t1"))))
          .select("incident_id", "first_time", "t0", "last_time", "t1").collectAsList();
      assertTrue(off.isEmpty(), "incidents whose times are not those of their evidence: " + off);
    }
  }

  private static Map<String, String> difference(Map<String, String> a, Map<String, String> b) {
    Map<String, String> out = new TreeMap<>();
    new TreeSet<>(a.keySet()).forEach(k -> {
      if (!a.get(k).equals(b.get(k))) {
        out.put(k, a.get(k));
      }
    });
    return out;
  }
}
