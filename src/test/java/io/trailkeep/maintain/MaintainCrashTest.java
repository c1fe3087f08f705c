package io.trailkeep.maintain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.AccessKeyTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.MaintenanceTables;
import io.trailkeep.testing.ChildJvm;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Maintenance killed with SIGKILL during a compaction rewrite and between a retention commit and
 * its retention_history row, then rerun, gives the same tables as an uninterrupted run; each case
 * first checks the lake at the moment of the kill.
 */
class MaintainCrashTest {
  private static final LocalDate AS_OF = LocalDate.of(2026, 8, 3);
  private static final String TARGET = "maintain.target-file-bytes=16384";
  private static Path raw;

  @BeforeAll
  static void rawRoot() {
    raw = TestSpark.tempDir("raw-maintain-crash");
    Generator.with(new Configuration()).raw(raw.toString()).events(1200).days(2).accounts(1)
        .flowRatio(0).findingsPerDay(0).seed(78).start(LocalDate.of(2026, 8, 1)).execute();
  }

  private static Lake ingested(String name) {
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir(name).toString());
    IngestJob.into(lake).raw(raw.toString()).filesPerTask(16).execute();
    return lake;
  }

  private static long version(Lake lake, String table) {
    return DeltaTable.forPath(lake.spark(), lake.pathOf(table)).history(1).select("version")
        .first().getLong(0);
  }

  private static long uncommittedFiles(Lake lake, String table) {
    Set<String> committed = new HashSet<>();
    for (String f : lake.read(table).inputFiles()) {
      committed.add(new org.apache.hadoop.fs.Path(f).toUri().getPath());
    }
    try (Stream<Path> s = Files.walk(Path.of(lake.pathOf(table)))) {
      return s.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_delta_log"))
          .map(p -> p.toAbsolutePath().toString()).filter(p -> !committed.contains(p)).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertSameTables(Lake expected, Lake actual) {
    DataFrames.assertEqualIgnoringOrder(expected.read(CloudTrailTable.NAME), actual.read(CloudTrailTable.NAME));
    DataFrames.assertEqualIgnoringOrder(expected.read(AccessKeyTable.NAME), actual.read(AccessKeyTable.NAME));
    DataFrames.assertEqualIgnoringOrder(
        expected.read(MaintenanceTables.STATE).select("table_name", "version"),
        actual.read(MaintenanceTables.STATE).select("table_name", "version"));
    if (expected.exists(MaintenanceTables.RETENTION_HISTORY)) {
      String[] columns = {"table_name", "policy_days", "cutoff_date", "legal_holds", "rows_deleted",
          "table_version"};
      DataFrames.assertEqualIgnoringOrder(
          expected.read(MaintenanceTables.RETENTION_HISTORY).selectExpr(columns),
          actual.read(MaintenanceTables.RETENTION_HISTORY).selectExpr(columns));
    }
  }

  @Test
  void killedDuringACompactionRewriteThenRerun() {
    Lake clean = ingested("lake-mc-clean");
    MaintainJob.on(clean).asOf(AS_OF).targetFileBytes(16384).execute();
    Lake lake = ingested("lake-mc-killed");
    long before = version(lake, CloudTrailTable.NAME);
    long rows = lake.read(CloudTrailTable.NAME).count();
    try (ChildJvm child = ChildJvm.pausedAt("maintain.cloudtrail.rewriting", "maintain", "--lake",
        lake.root(), "--as-of", AS_OF.toString(), "--master", "local[2]", "--set", TARGET)) {
      assertEquals(before, version(lake, CloudTrailTable.NAME), "the rewrite is not committed");
      assertEquals(rows, lake.read(CloudTrailTable.NAME).count());
      assertTrue(uncommittedFiles(lake, CloudTrailTable.NAME) > 0, "the rewrite's files exist");
      assertFalse(lake.exists(MaintenanceTables.STATE), "no maintenance recorded");
      child.kill();
    }
    MaintainJob.on(lake).asOf(AS_OF).targetFileBytes(16384).execute();
    assertSameTables(clean, lake);
  }

  @Test
  void killedBetweenARetentionCommitAndItsHistoryThenRerun() {
    Lake clean = ingested("lake-mr-clean");
    MaintainJob.on(clean).asOf(AS_OF).retention("cloudtrail=1").targetFileBytes(16384).execute();
    long kept = clean.read(CloudTrailTable.NAME).count();
    Lake lake = ingested("lake-mr-killed");
    assertTrue(lake.read(CloudTrailTable.NAME).count() > kept, "retention has work to do");
    try (ChildJvm child = ChildJvm.pausedAt("maintain.cloudtrail.retention-committed", "maintain",
        "--lake", lake.root(), "--as-of", AS_OF.toString(), "--retention", "cloudtrail=1",
        "--master", "local[2]", "--set", TARGET)) {
      assertEquals(kept, lake.read(CloudTrailTable.NAME).count(), "the deletion is committed");
      assertFalse(lake.exists(MaintenanceTables.RETENTION_HISTORY), "its history row is not");
      child.kill();
    }
    MaintainJob.on(lake).asOf(AS_OF).retention("cloudtrail=1").targetFileBytes(16384).execute();
    assertEquals(1, lake.read(MaintenanceTables.RETENTION_HISTORY).count(), "recorded once, from the commit");
    assertSameTables(clean, lake);
  }
}
