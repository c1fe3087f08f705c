package io.trailkeep.maintain;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.conf.ConfException;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.MaintenanceTables;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Compaction, retention with legal hold, and VACUUM on real Delta tables. */
class MaintainJobTest {
  private final SparkSession spark = TestSpark.get();

  private static Path template;

  /** A lake of 4 days ingested in small pieces (many small files per day), ingested once. */
  @org.junit.jupiter.api.BeforeAll
  static void ingestTemplate() {
    Path raw = TestSpark.tempDir("maint-raw");
    Generator.with(new Configuration()).raw(raw.toString()).events(3000).days(4).accounts(2).seed(77).flowRatio(0).findingsPerDay(0)
        .start(LocalDate.of(2026, 3, 1)).execute();
    template = TestSpark.tempDir("maint-template");
    IngestJob.into(new Lake(TestSpark.get(), template.toString())).raw(raw.toString()).filesPerTask(40)
        .execute();
  }

  /** A private copy of the template lake (Delta tables are relocatable: paths are relative). */
  private Lake smallFileLake() {
    Path copy = TestSpark.tempDir("maint-lake");
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(template)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = copy.resolve(template.relativize(f).toString());
        if (java.nio.file.Files.isDirectory(f)) {
          java.nio.file.Files.createDirectories(target);
        } else {
          java.nio.file.Files.copy(f, target);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Lake(spark, copy.toString());
  }

  private Dataset<Row> snapshot(Lake lake) {
    return spark.createDataFrame(lake.read(CloudTrailTable.NAME).collectAsList(), CloudTrailTable.SCHEMA);
  }

  @Test
  void compactionKeepsEveryRowAndASecondRunRewritesNothing() {
    Lake lake = smallFileLake();
    Dataset<Row> before = snapshot(lake);
    MaintainJob.Result first = MaintainJob.on(lake).execute();
    long filesBefore = first.get(CloudTrailTable.NAME, "files_before");
    long filesAfter = first.get(CloudTrailTable.NAME, "files_after");
    assertTrue(filesBefore > filesAfter, filesBefore + " -> " + filesAfter);
    assertEquals(4, filesAfter, "one file per day at the default target size");
    assertEquals(filesBefore, first.get(CloudTrailTable.NAME, "files_rewritten"));
    DataFrames.assertEqualIgnoringOrder(before, lake.read(CloudTrailTable.NAME));

    MaintainJob.Result second = MaintainJob.on(lake).execute();
    assertEquals(0, second.get(CloudTrailTable.NAME, "files_rewritten"));
    assertEquals(0, second.get(CloudTrailTable.INSIGHTS_NAME, "files_rewritten"));
    assertEquals(filesAfter, second.get(CloudTrailTable.NAME, "files_after"));
  }

  @Test
  void retentionDeletesExactlyTheExpiredRowsExceptThoseOnLegalHold() {
    Lake lake = smallFileLake();
    Dataset<Row> all = snapshot(lake);
    String heldAccount = all.select("account_id").distinct().orderBy("account_id").first().getString(0);
    // as of 2026-03-10 with 8 days: 2026-03-01 and 03-02 expire
    Dataset<Row> expected = all.filter(col("event_date").geq(java.sql.Date.valueOf("2026-03-02"))
        .or(col("account_id").equalTo(heldAccount)));
    long expiredUnheld = all.count() - expected.count();
    assertTrue(expiredUnheld > 0);
    MaintainJob.Result r = MaintainJob.on(lake).retention("cloudtrail=8").asOf(LocalDate.of(2026, 3, 10))
        .legalHold("account=" + heldAccount).execute();
    assertEquals(expiredUnheld, r.get(CloudTrailTable.NAME, "rows_deleted"));
    DataFrames.assertEqualIgnoringOrder(expected, lake.read(CloudTrailTable.NAME));
    List<Row> history = lake.read(MaintenanceTables.RETENTION_HISTORY).collectAsList();
    assertEquals(1, history.size());
    Row h = history.get(0);
    assertEquals("cloudtrail", h.getString(h.fieldIndex("table_name")));
    assertEquals(expiredUnheld, h.getLong(h.fieldIndex("rows_deleted")));
    assertEquals("account=" + heldAccount, h.getString(h.fieldIndex("legal_holds")));
    assertEquals(8, h.getInt(h.fieldIndex("policy_days")));
  }

  @Test
  void vacuumNeverRemovesFilesTheCurrentSnapshotUses() {
    Lake lake = smallFileLake();
    Dataset<Row> before = snapshot(lake);
    MaintainJob.Result r = MaintainJob.on(lake).vacuumHours(0, true).execute();
    assertTrue(r.get(CloudTrailTable.NAME, "files_vacuumed") > 0, "compacted-away files are removed");
    DataFrames.assertEqualIgnoringOrder(before, lake.read(CloudTrailTable.NAME));
    assertThrows(ConfException.class, () -> MaintainJob.on(lake).vacuumHours(24, false));
  }

  @Test
  void zOrderedSmallFilesLetAnAccessKeyQuerySkipFiles() {
    Lake lake = smallFileLake();
    MaintainJob.on(lake).targetFileBytes(16 * 1024).execute();
    Row sample = lake.read(CloudTrailTable.NAME).filter(col("actor_type").equalTo("IAMUser")
        .and(col("access_key_id").isNotNull())).select("access_key_id").first();
    java.util.Map<String, Object> scan = io.trailkeep.lake.ScanReport.of(lake,
        lake.read(CloudTrailTable.NAME).filter(col("access_key_id").equalTo(sample.getString(0))));
    long read = (Long) scan.get("files_read");
    long total = (Long) scan.get("files_total");
    assertTrue(total >= 8, "several files per day after compaction: " + total);
    assertTrue(read > 0 && read < total, "data skipping: read " + read + " of " + total);
    java.util.Map<String, Object> oneDay = io.trailkeep.lake.ScanReport.of(lake,
        lake.read(CloudTrailTable.NAME).filter(col("event_date").equalTo(java.sql.Date.valueOf("2026-03-02"))));
    assertTrue((Long) oneDay.get("files_read") < total, "partition pruning");
  }

  @Test
  void legalHoldSyntaxErrorsAreUserErrors() {
    assertThrows(ConfException.class, () -> LegalHold.parse("user=alice"));
    assertThrows(ConfException.class, () -> LegalHold.parse("dates=2026-01-01..yesterday"));
  }
}
