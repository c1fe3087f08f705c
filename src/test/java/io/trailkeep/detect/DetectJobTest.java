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
import java.util.Map;
import java.util.TreeMap;
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
    assertEquals(Map.of(), again.suppressed());

    // exceptions: a new file applies to the alerts already there (no new data); an exception whose
    // day ended before the evidence does not apply, one whose last day holds it does
    Path exceptions = TestSpark.tempDir("detect-exceptions").resolve("exceptions.yml");
    Files.writeString(exceptions, """
        exceptions:
          - id: expired-before-the-attack
            rule: new-user-with-admin-policy
            where: {principal: "*"}
            reason: an old migration
            owner: someone@example.com
            expires: 2026-05-09
          - id: iam-principals-granting-admin
            rule: new-user-with-admin-policy
            where:
              principal: "arn:aws:iam::*"
              region: [us-east-1, eu-west-1, ap-south-1, us-west-2]
            reason: the platform team's onboarding
            owner: platform@example.com
            expires: 2026-05-10
          - id: never-matches
            rule: cis-console-login-without-mfa
            where: {source_ip: 192.0.2.250}
            reason: a test
            owner: someone@example.com
            expires: 2099-01-01
        """);
    DetectJob.Result quieted = DetectJob.on(lake).option("detect.exceptions", exceptions.toString()).execute();
    Map<String, String> expected = new TreeMap<>();
    for (Row r : lake.read(AlertsTable.NAME).select("alert_id", "rule_id", "principal", "region").collectAsList()) {
      boolean match = r.getString(1).equals("new-user-with-admin-policy") && r.getString(2) != null
          && r.getString(2).startsWith("arn:aws:iam::")
          && List.of("us-east-1", "eu-west-1", "ap-south-1", "us-west-2").contains(r.getString(3));
      expected.put(r.getString(0), match ? "iam-principals-granting-admin" : "-");
    }
    assertTrue(expected.containsValue("iam-principals-granting-admin"), expected.toString());
    assertEquals(expected, suppression(lake), "every alert of the exception's rule and principals, no other");
    long quietedCount = expected.values().stream().filter(v -> !v.equals("-")).count();
    assertEquals(Map.of("expired-before-the-attack", 0L, "iam-principals-granting-admin", quietedCount,
        "never-matches", 0L), quieted.suppressed());
    // a query rule over alerts sees no suppressed alert: a user rule echoing each alert of the
    // quieted rule echoes only the unsuppressed ones, and all of them once the file is gone
    Path echo = TestSpark.tempDir("detect-echo-rules");
    Files.writeString(echo.resolve("echo-admin-alerts.yml"), """
        title: Echo of each new-user-with-admin-policy alert
        type: query
        query: |
          SELECT alert_id AS alert_key, window_start, window_end, account_id, region, principal,
                 access_key_id, source_ip, resource, event_ids, finding_ids, event_count
          FROM alerts WHERE rule_id = 'new-user-with-admin-policy'
        """);
    long unsuppressedAdmin = 0;
    long allAdmin = 0;
    for (Row a : lake.read(AlertsTable.NAME).filter("rule_id = 'new-user-with-admin-policy'")
        .select("suppressed_by").collectAsList()) {
      allAdmin++;
      unsuppressedAdmin += a.isNullAt(0) ? 1 : 0;
    }
    DetectJob.Result echoQuiet = DetectJob.on(lake).option("detect.exceptions", exceptions.toString())
        .option("detect.rules-dir", echo.toString()).days(LocalDate.of(2026, 5, 10), LocalDate.of(2026, 5, 10)).execute();
    assertEquals(unsuppressedAdmin, echoQuiet.alertsByRule().getOrDefault("echo-admin-alerts", 0L), echoQuiet.toString());
    DetectJob.Result echoAll = DetectJob.on(lake).option("detect.rules-dir", echo.toString())
        .days(LocalDate.of(2026, 5, 10), LocalDate.of(2026, 5, 10)).execute();
    assertEquals(allAdmin - unsuppressedAdmin, echoAll.alertsByRule().getOrDefault("echo-admin-alerts", 0L),
        "the echoes of the alerts the file no longer quiets: " + echoAll);
    expected.clear();
    for (Row a : lake.read(AlertsTable.NAME).select("alert_id").collectAsList()) {
      expected.put(a.getString(0), "-");
    }

    // the file removed: every alert is released; then a run with nothing to do commits nothing
    DetectJob.on(lake).execute();
    assertEquals(expected, suppression(lake));
    long version = io.trailkeep.lake.MaintenanceState.currentVersion(lake, AlertsTable.NAME);
    DetectJob.on(lake).execute();
    assertEquals(version, io.trailkeep.lake.MaintenanceState.currentVersion(lake, AlertsTable.NAME),
        "alerts already in line with the (absent) exceptions are not rewritten");

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
    // the exceptions file is checked too: an expired exception fails the test like a wrong case
    Path exceptions = rules.resolve("exceptions").resolve("exceptions.yml");
    Files.createDirectories(exceptions.getParent());
    String exception = "  - id: %s\n    rule: my-bucket-deleted\n    where: {principal: \"arn:aws:iam::111122223333:role/cleanup\"}\n"
        + "    reason: nightly cleanup\n    owner: ops@example.com\n    expires: %s\n";
    Files.writeString(exceptions, "exceptions:\n" + String.format(exception, "cleanup-role", "2099-12-31")
        + String.format(exception, "old-cleanup-role", "2020-01-31"));
    CliRunner.Run run = CliRunner.run("detect", "--test", "--rules", rules.toString(), "--set",
        "detect.exceptions=" + exceptions);
    assertEquals(1, run.code(), run.out() + run.err());
    assertTrue(run.out().contains("ok   exception cleanup-role (rule my-bucket-deleted, owner ops@example.com): "
        + "expires 2099-12-31"), run.out());
    assertTrue(run.out().contains("FAIL exception old-cleanup-role (rule my-bucket-deleted, owner ops@example.com): "
        + "expired on 2020-01-31; renew it with a new date or remove it"), run.out());
    assertTrue(run.out().contains("exceptions file " + exceptions + ": 2 exceptions, 1 expired"), run.out());
    // an exceptions file that does not load is a usage error before any case runs
    Files.writeString(exceptions, "exceptions:\n" + String.format(exception, "cleanup-role", "2099-12-31")
        .replace("my-bucket-deleted", "my-bucket-removed"));
    CliRunner.Run bad = CliRunner.run("detect", "--test", "--rules", rules.toString(), "--set",
        "detect.exceptions=" + exceptions);
    assertEquals(2, bad.code(), bad.out() + bad.err());
    assertEquals("trailkeep: exceptions file " + exceptions + ": exception 'cleanup-role' names rule "
        + "'my-bucket-removed', which is not a rule of this lake's detect (list them with: trailkeep detect --list)",
        bad.err().strip());
    assertFalse(bad.out().contains("cases"), bad.out());
    assertTrue(run.out().contains("PASS my-bucket-deleted positive"), run.out());
    assertTrue(run.out().contains("PASS my-bucket-deleted negative"), run.out());
    assertTrue(run.out().contains("FAIL my-wrong-rule negative"), run.out());
    assertTrue(run.out().contains("4 cases, 3 passed, 1 failed"), run.out());
    assertFalse(run.out().contains("cloudtrail-logging-stopped"), "only the user's rules were tested");
  }

  /** Per alert id, the exception that suppresses it, "-" for none. */
  private static Map<String, String> suppression(Lake lake) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : lake.read(AlertsTable.NAME).select("alert_id", "suppressed_by").collectAsList()) {
      out.put(r.getString(0), r.isNullAt(1) ? "-" : r.getString(1));
    }
    return out;
  }

  private static void generate(Path raw, LocalDate day) {
    Generator.with(new Configuration()).raw(raw.toString()).events(300).days(1).accounts(1)
        .flowRatio(0).findingsPerDay(0).seed(day.getDayOfMonth()).start(day)
        .scenarios(List.of("leaked-access-key")).execute();
  }
}
