package io.trailkeep.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.generate.Generator;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.schema.QuarantineTable;
import io.trailkeep.schema.VpcFlowTable;
import io.trailkeep.testing.ChildJvm;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An ingest of all three sources killed with SIGKILL at each commit point, then rerun, gives the
 * same tables as an uninterrupted run. Each case first checks the lake at the moment of the kill:
 * before any commit, during a Delta write (files written, nothing committed), after a data commit
 * and before the manifest commit; for CloudTrail (append), VPC flow (append) and GuardDuty (MERGE).
 * The raw root holds CloudTrail records without eventID and damaged records, so de-duplication by
 * content and the quarantine anti-join are part of what converges.
 */
class IngestCrashTest {
  private static java.nio.file.Path raw;
  private static Lake clean;
  private static final List<String> TABLES = List.of(CloudTrailTable.NAME,
      CloudTrailTable.INSIGHTS_NAME, VpcFlowTable.NAME, GuardDutyTable.NAME);

  @BeforeAll
  static void rawRootAndAnUninterruptedRun() {
    raw = TestSpark.tempDir("raw-crash");
    Generator.with(new Configuration()).raw(raw.toString()).events(400).days(1).accounts(1)
        .flowRatio(1).findingsPerDay(4).seed(77).start(LocalDate.of(2026, 8, 1)).execute();
    // the AWS examples: records without eventID, two key conflicts and one record quarantined
    Fixtures.writeGzip(raw, Fixtures.logKey("123456789012", "us-east-1", "20260801T1005Z",
        "DOCEXAMPLES00001"), Fixtures.docExamples());
    clean = new Lake(TestSpark.get(), TestSpark.tempDir("lake-crash-clean").toString());
    IngestJob.into(clean).raw(raw.toString()).execute();
  }

  private static long count(Lake lake, String table) {
    return lake.exists(table) ? lake.read(table).count() : 0;
  }

  /** Parquet files under a table's folder that its current snapshot does not reference. */
  private static long uncommittedFiles(Lake lake, String table) {
    Set<String> committed = new HashSet<>();
    for (String f : lake.read(table).inputFiles()) {
      committed.add(new org.apache.hadoop.fs.Path(f).toUri().getPath());
    }
    try (Stream<java.nio.file.Path> s = Files.walk(java.nio.file.Path.of(lake.pathOf(table)))) {
      return s.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_delta_log"))
          .map(p -> p.toAbsolutePath().toString()).filter(p -> !committed.contains(p)).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertStateAtKill(String point, Lake lake) {
    String table = point.replaceAll("^ingest\\.|\\.(parsed|writing|committed)$", "");
    int position = TABLES.indexOf(table);
    // every table before this one is complete, none after it exists
    for (int i = 0; i < TABLES.size(); i++) {
      String t = TABLES.get(i);
      if (i < position) {
        assertEquals(count(clean, t), count(lake, t), point + ": " + t + " is committed");
      } else if (i > position) {
        assertFalse(lake.exists(t), point + ": " + t + " not started");
      }
    }
    assertFalse(lake.exists(ManifestTable.NAME), point + ": the manifest is committed last");
    if (point.endsWith(".parsed")) {
      assertFalse(lake.exists(table), point + ": nothing committed");
    } else if (point.endsWith(".writing")) {
      assertEquals(0, count(lake, table), point + ": the write is not committed");
      if (!table.equals(GuardDutyTable.NAME)) {
        assertTrue(uncommittedFiles(lake, table) > 0, point + ": the write's files exist");
      }
    } else {
      assertEquals(count(clean, table), count(lake, table), point + ": data committed");
    }
  }

  private static void assertSameTables(Lake expected, Lake actual) {
    for (String t : TABLES) {
      DataFrames.assertEqualIgnoringOrder(expected.read(t), actual.read(t));
    }
    String q = QuarantineTable.nameFor("cloudtrail");
    DataFrames.assertEqualIgnoringOrder(expected.read(q).drop("run_id"), actual.read(q).drop("run_id"));
    String[] manifest = {"path", "source", "kind", "account_id", "region", "delivery_date", "size",
        "modification_time", "records", "quarantined", "status"};
    Dataset<Row> m = actual.read(ManifestTable.NAME).selectExpr(manifest);
    assertEquals(m.count(), m.select("path").distinct().count(), "one manifest row per file");
    DataFrames.assertEqualIgnoringOrder(expected.read(ManifestTable.NAME).selectExpr(manifest), m);
  }

  /**
   * The kill points. Tables are written in order (cloudtrail, cloudtrail_insights, vpc_flow,
   * guardduty_findings, then the manifest), so a kill during one table's write is also a kill
   * after the previous tables' data commits and before the manifest; the state check asserts both.
   * Five children cover every state: before any commit, each source's write in flight with its
   * predecessors committed, and everything committed but the manifest.
   */
  @ParameterizedTest
  @ValueSource(strings = {"ingest.cloudtrail.parsed", "ingest.cloudtrail.writing",
      "ingest.vpc_flow.writing", "ingest.guardduty_findings.writing",
      "ingest.guardduty_findings.committed"})
  void killedAtACommitPointThenRerunGivesTheSameTables(String point) {
    SparkSession spark = TestSpark.get();
    Lake lake = new Lake(spark, TestSpark.tempDir("lake-crash").toString());
    try (ChildJvm child = ChildJvm.pausedAt(point, "ingest", "--raw", raw.toString(), "--lake",
        lake.root(), "--master", "local[2]")) {
      assertStateAtKill(point, lake);
      child.kill();
    }
    IngestJob.Result rerun = IngestJob.into(lake).raw(raw.toString()).execute();
    assertEquals("succeeded", rerun.status());
    assertSameTables(clean, lake);
  }
}
