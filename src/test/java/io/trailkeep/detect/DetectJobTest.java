package io.trailkeep.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.cli.CliRunner;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.maintain.MaintainJob;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The detect job's run modes, idempotence, failure isolation and command line. */
class DetectJobTest {

  @Test
  void incrementalRunsReadOnlyWhatChangedAndRerunsAddNothing() throws IOException {
    Path raw = TestSpark.tempDir("detect-inc-raw");
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("detect-inc-lake").toString());
    generate(raw, LocalDate.of(2026, 5, 10));
    IngestJob.into(lake).raw(raw.toString()).execute();
    DetectJob.Result first = DetectJob.on(lake).execute();
    assertEquals("succeeded", first.status(), first.failures().toString());
    assertEquals(0, first.rulesFailed());
    assertTrue(first.alertsNew() > 0, first.toString());
    assertEquals(first.alertsNew(), first.alertsByRule().values().stream().mapToLong(Long::longValue).sum());
    assertTrue(first.alertsByRule().containsKey("new-user-with-admin-policy"), first.alertsByRule().toString());
    long alerts = lake.read(AlertsTable.NAME).count();
    assertEquals(first.alertsNew(), alerts);

    DetectJob.Result again = DetectJob.on(lake).execute();
    assertNull(again.firstDay(), "nothing changed since the last run");
    assertEquals(0, again.alertsNew());
    assertEquals(0, again.eventsScanned());

    // maintenance rewrites files without changing data: nothing for detect either
    MaintainJob.on(lake).targetFileBytes(16384).execute();
    assertNull(DetectJob.on(lake).execute().firstDay(), "a compaction is no change");

    // a new day arrives: only it (widened by the longest rule window) is read
    generate(raw, LocalDate.of(2026, 5, 20));
    IngestJob.into(lake).raw(raw.toString()).execute();
    DetectJob.Result next = DetectJob.on(lake).execute();
    assertEquals("2026-05-19", next.firstDay());
    assertEquals("2026-05-21", next.lastDay());

    // an overlapping backfill of everything adds no duplicate
    DetectJob.Result backfill = DetectJob.on(lake).days(LocalDate.of(2026, 5, 9), LocalDate.of(2026, 5, 21))
        .execute();
    assertEquals(0, backfill.alertsNew(), backfill.alertsByRule().toString());
    Dataset<Row> all = lake.read(AlertsTable.NAME);
    assertEquals(all.count(), all.select("alert_id").distinct().count(), "alert ids are unique");

    // a user rule that does not analyze is reported; the others, a user rule among them, still run
    Path rules = TestSpark.tempDir("detect-fail-rules");
    Files.writeString(rules.resolve("uses-a-missing-column.yml"), "title: t\nwhere: no_such_column = 1\n");
    Files.writeString(rules.resolve("every-stop-logging.yml"),
        "title: t\nwhere: eventName = 'StopLogging'\nsuppress: {window: 1m}\n");
    CliRunner.Run run = CliRunner.run("detect", "--lake", lake.root(), "--rules", rules.toString(),
        "--from", "2026-05-10", "--to", "2026-05-10", "--json");
    assertEquals(1, run.code(), run.err());
    JsonNode s = Json.parse(run.lastLine());
    for (String key : List.of("rules_run", "rules_failed", "alerts_new", "alerts_by_rule", "events_scanned")) {
      assertTrue(s.has(key), key + " in " + s);
    }
    assertEquals(1, s.get("rules_failed").asInt());
    assertTrue(s.get("failures").get("uses-a-missing-column").asText().contains("no_such_column"),
        s.toString());
    assertEquals(RuleFiles.shipped().size() + 1, s.get("rules_run").asInt() + s.get("rules_skipped").asInt());
    assertTrue(s.get("skipped").get("vpc-flow-mining-pool-port").asText().contains("no vpc_flow table"),
        "a lake of CloudTrail only skips the flow rules: " + s);
    assertEquals(1, s.get("alerts_by_rule").get("every-stop-logging").asLong(), "the other rules ran: " + s);
    assertTrue(s.get("events_scanned").asLong() > 0);
    assertTrue(run.out().contains("FAILED uses-a-missing-column"), run.out());
  }

  @Test
  void listPrintsEveryRuleAsJson() {
    CliRunner.Run run = CliRunner.run("detect", "--list", "--json");
    assertEquals(0, run.code(), run.err());
    String[] lines = run.out().strip().split("\n");
    assertEquals(RuleFiles.shipped().size(), lines.length);
    assertTrue(lines.length >= 60);
    for (String line : lines) {
      JsonNode r = Json.parse(line);
      for (String key : List.of("id", "title", "severity", "mitre_tactics", "mitre_techniques", "source")) {
        assertTrue(r.has(key) && !r.get(key).isNull(), key + " in " + line);
      }
      assertTrue(Rule.SEVERITIES.contains(r.get("severity").asText()), line);
      assertTrue(Rule.TABLES.contains(r.get("source").asText()), line);
    }
  }

  @Test
  void testRunsAUsersRuleCasesAndFailsOnAWrongOne() throws IOException {
    Path rules = TestSpark.tempDir("user-rules");
    String good = "title: Bucket deleted\ndescription: d\nseverity: low\n"
        + "mitre: {tactics: [TA0040], techniques: [T1485]}\nreferences: [https://example.com]\n"
        + "false_positives: [cleanup]\nrunbook: r\nversion: 1\n"
        + "where: eventSource = 's3.amazonaws.com' AND eventName = 'DeleteBucket'\n"
        + "tests:\n  positive:\n    - cloudtrail: [{eventSource: s3.amazonaws.com, eventName: DeleteBucket}]\n"
        + "  negative:\n    - cloudtrail: [{eventSource: s3.amazonaws.com, eventName: CreateBucket}]\n";
    Files.writeString(rules.resolve("my-bucket-deleted.yml"), good);
    // the author expects CreateBucket to fire too: the runner must say FAIL
    Files.writeString(rules.resolve("my-wrong-rule.yml"), good.replace(
        "negative:\n    - cloudtrail: [{eventSource: s3.amazonaws.com, eventName: CreateBucket}]",
        "negative:\n    - cloudtrail: [{eventSource: s3.amazonaws.com, eventName: DeleteBucket}]"));
    CliRunner.Run run = CliRunner.run("detect", "--test", "--rules", rules.toString());
    assertEquals(1, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("PASS my-bucket-deleted positive"), run.out());
    assertTrue(run.out().contains("PASS my-bucket-deleted negative"), run.out());
    assertTrue(run.out().contains("FAIL my-wrong-rule negative"), run.out());
    assertTrue(run.out().contains("4 cases, 3 passed, 1 failed"), run.out());
    assertFalse(run.out().contains("cloudtrail-logging-stopped"), "only the user's rules were tested");
  }

  private static void generate(Path raw, LocalDate day) {
    Generator.with(new Configuration()).raw(raw.toString()).events(300).days(1).accounts(1)
        .flowRatio(0).findingsPerDay(0).seed(day.getDayOfMonth()).start(day)
        .scenarios(List.of("leaked-access-key")).execute();
  }
}
