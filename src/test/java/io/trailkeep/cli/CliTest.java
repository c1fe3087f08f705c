package io.trailkeep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.bench.BenchJob;
import io.trailkeep.schema.RecordJson;
import io.trailkeep.testing.TestSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as a user drives it: exit codes, messages, --json summaries. */
class CliTest {

  static final class Run {
    int code;
    String out;
    String err;

    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  static Run run(String... args) {
    TestSpark.get(); // the commands join the shared session instead of starting their own
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    Run r = new Run();
    r.code = cl.execute(args);
    r.out = out.toString();
    r.err = err.toString();
    return r;
  }

  @Test
  void helpListsEveryCommandAndKey() {
    Run r = run("--help");
    assertEquals(0, r.code);
    for (String s : new String[] {"generate", "ingest", "demo", "sql", "ingest.source", "--raw", "--lake"}) {
      assertTrue(r.out.contains(s), s);
    }
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    Run unknownFlag = run("ingest", "--nope");
    assertEquals(2, unknownFlag.code);
    assertTrue(unknownFlag.err.contains("Unknown option: '--nope'"), unknownFlag.err);
    assertEquals(1, unknownFlag.err.strip().split("\n").length);

    Run badKey = run("ingest", "--set", "no.such.key=1");
    assertEquals(2, badKey.code);
    assertTrue(badKey.err.startsWith("trailkeep: unknown configuration key 'no.such.key'"), badKey.err);

    Run noEquals = run("ingest", "--set", "shuffle-partitions");
    assertEquals(2, noEquals.code);
    assertEquals("trailkeep: --set expects KEY=VALUE, got 'shuffle-partitions'", noEquals.err.strip());
    Run badParam = run("notebooks", "--param", "trailkeep.from");
    assertEquals(2, badParam.code);
    assertEquals("trailkeep: --param expects NAME=VALUE, got 'trailkeep.from'", badParam.err.strip());
    Run unknownParam = run("notebooks", "--param", "trailkeep.nothing=1");
    assertEquals(2, unknownParam.code);
    assertTrue(unknownParam.err.contains("no notebook has the parameter 'trailkeep.nothing'"), unknownParam.err);

    Run missingConf = run("ingest", "--conf", "/no/such.conf");
    assertEquals(2, missingConf.code);
    assertTrue(missingConf.err.contains("does not exist"), missingConf.err);

    Run missingRaw = run("ingest", "--raw", "/no/such/raw/root", "--lake",
        TestSpark.tempDir("lake").toString());
    assertEquals(2, missingRaw.code);
    assertTrue(missingRaw.err.contains("raw root /no/such/raw/root does not exist"), missingRaw.err);
    assertTrue(!missingRaw.err.contains("\tat "), "no stack trace");

    Run badSource = run("ingest", "--source", "syslog", "--raw", "/tmp");
    assertEquals(2, badSource.code);
    assertTrue(badSource.err.contains("unknown source 'syslog'"), badSource.err);

    Run badStep = run("bench", "--steps", "ingest,warmup", "--dir",
        TestSpark.tempDir("bench-steps").toString());
    assertEquals(2, badStep.code);
    assertTrue(badStep.err.contains("bench has no step 'warmup'; choose from parse, ingest, scaling, queries, validate, detect"),
        badStep.err);
  }

  @Test
  void generateIngestAndSqlWithJson() {
    Path raw = TestSpark.tempDir("cli-raw");
    Path lake = TestSpark.tempDir("cli-lake");
    Run gen = run("generate", "--raw", raw.toString(), "--events", "600", "--days", "1",
        "--accounts", "2", "--flow-ratio", "0", "--set", "generate.findings-per-day=0", "--json");
    assertEquals(0, gen.code, gen.err);
    JsonNode g = RecordJson.parse(gen.lastLine());
    long events = g.get("events").asLong();

    Run first = run("ingest", "--raw", raw.toString(), "--lake", lake.toString(), "--json");
    assertEquals(0, first.code, first.err);
    JsonNode s1 = RecordJson.parse(first.lastLine());
    for (String k : new String[] {"files_seen", "files_ingested", "records_read", "rows_written",
        "duplicates_dropped", "quarantined"}) {
      assertTrue(s1.has(k), k);
    }
    assertEquals(events, s1.get("records_read").asLong());
    assertTrue(s1.get("application_id").asText().startsWith("local-"), "the summary names the Spark application");
    assertEquals(events - g.get("duplicate_records").asLong(), s1.get("rows_written").asLong());

    Run second = run("ingest", "--raw", raw.toString(), "--lake", lake.toString(), "--json");
    assertEquals(0, RecordJson.parse(second.lastLine()).get("rows_written").asLong());

    Run sql = run("sql", "--lake", lake.toString(), "--json",
        "SELECT count(*) AS n FROM cloudtrail");
    assertEquals(0, sql.code, sql.err);
    long n = RecordJson.parse(sql.lastLine()).get("n").asLong();
    assertEquals(s1.get("tables").get("cloudtrail").get("rows_written").asLong(), n);

    Run table = run("sql", "--lake", lake.toString(),
        "SELECT eventName, count(*) AS c FROM cloudtrail GROUP BY eventName ORDER BY c DESC LIMIT 3");
    assertEquals(0, table.code);
    assertTrue(table.out.contains("| eventName"), table.out);
    assertTrue(table.out.contains("3 rows"), table.out);

    Run maintain = run("maintain", "--lake", lake.toString(), "--json");
    assertEquals(0, maintain.code, maintain.err);
    JsonNode m1 = RecordJson.parse(maintain.lastLine()).get("tables").get("cloudtrail");
    assertTrue(m1.get("files_rewritten").asLong() > 0);
    assertTrue(m1.get("files_after").asLong() < m1.get("files_before").asLong());
    JsonNode m2 = RecordJson.parse(run("maintain", "--lake", lake.toString(), "--json").lastLine());
    m2.get("tables").forEach(t -> assertEquals(0, t.get("files_rewritten").asLong()));
    assertEquals(2, run("maintain", "--lake", lake.toString(), "--vacuum-hours", "1").code,
        "a short VACUUM window needs --force-vacuum");

    String key = RecordJson.parse(run("sql", "--lake", lake.toString(), "--json",
        "SELECT access_key_id, count(*) AS n FROM cloudtrail WHERE access_key_id IS NOT NULL "
            + "GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1").lastLine()).get("access_key_id").asText();
    long keyEvents = RecordJson.parse(run("sql", "--lake", lake.toString(), "--json",
        "SELECT count(*) AS n FROM cloudtrail WHERE access_key_id = '" + key + "'").lastLine()).get("n").asLong();
    Run activity = run("activity", "--lake", lake.toString(), "--access-key", key, "--json", "--explain");
    assertEquals(0, activity.code, activity.err);
    String[] lines = activity.out.trim().split("\n");
    assertEquals(keyEvents + 1, lines.length, "one line per event, then the explain line");
    JsonNode explain = RecordJson.parse(lines[lines.length - 1]).get("explain");
    assertTrue(explain.get("index_used").asBoolean(), explain.toString());
    assertEquals(key, RecordJson.parse(lines[0]).get("access_key_id").asText());
    Run neither = run("activity", "--lake", lake.toString());
    assertEquals(2, neither.code);
    assertTrue(neither.err.contains("exactly one of"), neither.err);
    assertEquals(2, run("activity", "--lake", lake.toString(), "--principal", "x", "--from", "May 1").code);

    Run bad = run("sql", "--lake", lake.toString(), "SELECT nope FROM cloudtrail");
    assertEquals(2, bad.code);
    assertTrue(bad.err.startsWith("trailkeep: invalid query"), bad.err);
  }

  @Test
  void demoRunsThroughALocalS3ServerAndFindsTheScenario() {
    Path root = TestSpark.tempDir("demo-s3");
    String raw = root.resolve("raw").toString();
    for (int run = 0; run < 2; run++) {
      Run demo = run("demo", "--s3", "--json", "--raw", raw, "--set", "generate.events=1500",
          "--set", "generate.days=1", "--set", "generate.accounts=2");
      assertEquals(0, demo.code, demo.err);
      JsonNode s = RecordJson.parse(demo.lastLine());
      assertEquals(s.get("scenario_events_expected").asLong(), s.get("scenario_events_found").asLong());
      assertTrue(s.get("scenario_events_found").asLong() > 10);
      assertEquals(18, s.get("scenario_flow_records_found").asLong(), "probe and SSH flows");
      assertEquals(3, s.get("scenario_findings_found").asLong());
      assertTrue(s.get("tables").toString().contains("vpc_flow"), s.toString());
      assertTrue(s.get("tables").toString().contains("guardduty_findings"), s.toString());
      assertTrue(s.get("ingest").get("lake").asText().startsWith("s3a://"));
      assertEquals(10, s.get("scenarios").size(), s.get("scenarios").toString());
      for (JsonNode sc : s.get("scenarios")) {
        assertEquals(0, sc.get("missing_rules").size(), "detect fires what the ground truth expects: " + sc);
        assertEquals(0, sc.get("fired_wrongly").size(), sc.toString());
        if (sc.get("benign").asBoolean()) {
          assertTrue(!sc.has("incident") || !sc.get("incident_severity").asText().matches("high|critical"),
              "the benign look-alike raises no high incident: " + sc);
        } else {
          assertEquals(1, sc.get("incidents").size(), "one incident per attack: " + sc);
          assertEquals(1.0, sc.get("event_recall").asDouble(), "the incident holds every attack event: " + sc);
        }
      }
      assertEquals(run == 1, s.get("correlate").get("unchanged").asBoolean(), s.get("correlate").toString());
      assertEquals(0, s.get("detect").get("rules_failed").asLong(), s.get("detect").toString());
      if (run == 0) {
        assertTrue(s.get("detect").get("alerts_new").asLong() > 0);
      } else {
        assertEquals(0, s.get("ingest").get("rows_written").asLong(), "second run adds nothing");
        assertEquals(0, s.get("detect").get("alerts_new").asLong(), "second run adds no alert");
      }
    }
    assertTrue(Files.isDirectory(root.resolve("s3").resolve("trailkeep-demo-lake")));
  }

  @Test
  void benchReportsBothSidesOfEachComparison() {
    Path dir = TestSpark.tempDir("bench");
    // one scaling child keeps the suite short; the ratio needs both and is plain arithmetic. The
    // memory set is the main set again (same size, same cache), so its child must read the same records.
    // Two accounts: 40% of the files of the default eight for the same events, and every step's
    // cost here is per file
    Run bench = run("bench", "--events", "1500", "--days", "1", "--accounts", "2", "--repeats", "1",
        "--scaling-cores", "2", "--memory-events", "1500", "--steps", BenchJob.STEP_NAMES + ",nights",
        "--dir", dir.toString(), "--json");
    assertEquals(0, bench.code, bench.err);
    JsonNode b = RecordJson.parse(bench.lastLine());
    assertEquals(2, b.get("data").get("accounts").asInt(), b.get("data").toString());
    assertTrue(b.get("ingest_speedup_vs_spark_json").asDouble() > 0);
    JsonNode ingest = b.get("ingest");
    assertEquals(ingest.get("speedup").asDouble(), b.get("ingest_speedup_vs_spark_json").asDouble(),
        "the headline speedup is against the fair baseline");
    assertEquals(ingest.get("spark_json_rows").asLong(), ingest.get("spark_json_defaults_rows").asLong(),
        "both baselines read the same records: " + ingest);
    assertEquals(ingest.get("spark_json_rows").asLong() - ingest.get("trailkeep_rows").asLong(),
        ingest.get("rows_difference").asLong());
    assertTrue(ingest.get("rows_difference").asLong() > 0 && ingest.get("rows_difference_explained_by").asText()
        .startsWith(ingest.get("rows_difference").asLong() + " duplicate deliveries"),
        "the generator re-delivers records, the baselines keep them: " + ingest);
    assertTrue(ingest.get("speedup_vs_defaults").asDouble() > 0);
    assertTrue(b.get("ingest").get("trailkeep_records_s_per_core").asDouble() > 0);
    assertTrue(b.get("parse_only_one_core").get("trailkeep_parser_mb_s").asDouble() > 0);
    b.get("queries").forEach(q -> {
      assertEquals(q.get("rows_raw").asLong(), q.get("rows").asLong(), "the lake and the raw scan answer the same");
      assertEquals(q.get("rows_parquet").asLong(), q.get("rows").asLong(), "the lake and Parquet answer the same");
      assertEquals(q.get("rows_parquet_held").asLong(), q.get("rows").asLong(), q.toString());
      assertTrue(q.get("parquet_held_seconds").asDouble() > 0, q.toString());
      assertTrue(q.get("lake_files_read").asLong() <= q.get("lake_files_total").asLong(), q.toString());
      assertTrue(q.get("raw_bytes_read").asLong() > 0, q.toString());
      if (q.has("rows_raw_pruned")) {
        assertEquals(q.get("rows_raw_pruned").asLong(), q.get("rows").asLong(), "the path-pruned scan answers the same");
        assertTrue(q.get("raw_pruned_bytes_read").asLong() < q.get("raw_bytes_read").asLong(),
            "pruning by path reads less: " + q);
      }
    });
    assertTrue(b.get("queries").get("q1_principal_day").has("raw_pruned_seconds"));
    assertTrue(b.get("queries").get("q3_access_key_all_days").get("raw_pruned").asText().startsWith("not prunable"));
    JsonNode validate = b.get("validate");
    assertEquals(0, validate.get("problems").asLong(), validate.toString());
    assertTrue(validate.get("log_files").asLong() > 0 && validate.get("trailkeep_seconds").asDouble() > 0);
    JsonNode detect = b.get("detect");
    assertEquals(0, detect.get("rules_failed").asLong(), detect.toString());
    long rows = detect.get("rows").asLong();
    assertTrue(rows > 0 && rows <= b.get("data").get("events").asLong(), "the scan reads the ingested rows: " + b);
    assertEquals(rows, detect.get("events_scanned").asLong(), "detect and the scan read the same rows");
    assertTrue(detect.get("detect_vs_plain_scan").asDouble() > 0, detect.toString());
    // one day delivered, then the night after it with the day's late files: two nights
    JsonNode nights = b.get("nights");
    assertEquals(2, nights.get("nights").size(), nights.toString());
    assertTrue(nights.get("nights").get(0).get("alerts_new").asLong() > 0, "the scenarios raise alerts: " + nights);
    assertEquals(nights.get("nights").get(0).get("incidents").asLong(),
        nights.get("nights").get(0).get("incidents_rebuilt").asLong(), "the first night builds every incident");
    assertEquals(nights.get("nights").get(0).get("detect_seconds").asDouble(),
        nights.get("detect_night_1_seconds").asDouble());
    assertTrue(nights.get("detect_night_n_vs_night_1").asDouble() > 0
        && nights.get("correlate_night_n_vs_night_1").asDouble() > 0, nights.toString());
    JsonNode noop = b.get("noop");
    assertEquals(0, noop.get("files_ingested").asLong(), "nothing new: " + noop);
    assertEquals(0, noop.get("rows_written").asLong(), noop.toString());
    assertTrue(noop.get("manifest_files").asLong() >= b.get("data").get("files").asLong(),
        "every log file is in the manifest: " + noop);
    assertTrue(noop.get("listing_files").asLong() >= b.get("data").get("files").asLong(), noop.toString());
    assertTrue(noop.get("trailkeep_seconds").asDouble() > 0 && noop.get("listing_seconds").asDouble() > 0);
    JsonNode cold = b.get("cold");
    assertTrue(cold.get("trailkeep_rows").asLong() > 1000, cold.toString());
    assertTrue(cold.get("trailkeep_process_seconds").asDouble() > cold.get("trailkeep_job_seconds").asDouble(),
        "the process includes JVM and Spark start: " + cold);
    assertEquals(cold.get("spark_json_rows").asLong() - cold.get("trailkeep_rows").asLong(),
        cold.get("rows_difference").asLong());
    assertTrue(cold.get("rows_difference_explained_by").asText().startsWith("duplicate deliveries"),
        "the baseline keeps the re-delivered duplicates, and only those: " + cold);
    JsonNode scaling = b.get("scaling");
    assertEquals(b.get("ingest").get("records_read").asLong(), scaling.get("local_2").get("records_read").asLong(),
        "the 1 GiB child ingest read every record: " + scaling);
    JsonNode memory = scaling.get("memory_set");
    assertEquals(b.get("ingest").get("records_read").asLong(), memory.get("records_read").asLong(),
        "the memory set's child read every record: " + memory);
    assertEquals(b.get("data").get("events").asLong(), memory.get("events").asLong(), memory.toString());
    assertEquals(2, memory.get("cores").asInt(), memory.toString());
    assertFalse(memory.has("warm_seconds"), "the memory set runs once, cold: " + memory);
    assertTrue(memory.get("records_s_per_core").asDouble() > 0, memory.toString());
  }
}
