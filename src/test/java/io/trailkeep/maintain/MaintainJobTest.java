package io.trailkeep.maintain;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.LegalHoldSpec;
import io.trailkeep.correlate.ActivityQuery;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.ScanReport;
import io.trailkeep.schema.AccessKeyTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.MaintenanceTables;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Compaction, retention with legal hold, and VACUUM on real Delta tables. */
class MaintainJobTest {
  private final SparkSession spark = TestSpark.get();

  private static Path template;

  /** A lake of 4 days ingested in small pieces (many small files per day), ingested once. */
  @BeforeAll
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
    try (Stream<Path> files = Files.walk(template)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = copy.resolve(template.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
    Dataset<Row> expected = all.filter(col("event_date").geq(Date.valueOf("2026-03-02"))
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
    assertIndexMatches(lake);
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
  void sortedDaysKeepPrincipalsApartAndTheKeyIndexNarrowsAKeyQueryWithoutLosingEvents() {
    Lake lake = smallFileLake();
    MaintainJob.on(lake).targetFileBytes(16 * 1024).execute();
    Dataset<Row> table = lake.read(CloudTrailTable.NAME);

    // range-partitioned by principal: within a day, file principal ranges touch at most at the ends
    List<Row> ranges = table.filter(col("actor_principal").isNotNull())
        .groupBy(col("event_date"), input_file_name().as("file"))
        .agg(min("actor_principal").as("lo"), max("actor_principal").as("hi"))
        .orderBy("event_date", "lo", "hi").collectAsList();
    assertTrue(ranges.size() >= 12, "several files per day: " + ranges.size());
    for (int i = 1; i < ranges.size(); i++) {
      Row prev = ranges.get(i - 1);
      Row cur = ranges.get(i);
      if (prev.getDate(0).equals(cur.getDate(0))) {
        assertTrue(prev.getString(3).compareTo(cur.getString(2)) <= 0, "overlapping files " + prev + " " + cur);
      }
    }

    assertIndexMatches(lake);

    Row sample = table.filter(col("actor_type").equalTo("IAMUser").and(col("access_key_id").isNotNull()))
        .select("access_key_id", "actor_principal").first();
    String key = sample.getString(0);
    ActivityQuery.Plan plan = ActivityQuery.on(lake).accessKey(key).plan();
    assertTrue(plan.indexUsed());
    assertEquals(List.of(sample.getString(1)), plan.principals());
    DataFrames.assertEqualIgnoringOrder(table.filter(col("access_key_id").equalTo(key)), plan.events());
    long viaIndex = (Long) ScanReport.of(lake, plan.events()).get("files_read");
    long principalFiles = table.filter(col("actor_principal").equalTo(sample.getString(1)))
        .select(input_file_name()).distinct().count();
    long allFiles = table.inputFiles().length;
    assertTrue(viaIndex > 0 && viaIndex <= principalFiles && principalFiles < allFiles,
        "read " + viaIndex + " files; the principal is in " + principalFiles + " of " + allFiles);

    // a day ingested after maintenance is not in the index yet: still part of the answer
    Path raw = TestSpark.tempDir("maint-raw-late");
    Generator.with(new Configuration()).raw(raw.toString()).events(800).days(1).accounts(2).seed(77)
        .flowRatio(0).findingsPerDay(0).start(LocalDate.of(2026, 3, 5)).execute();
    IngestJob.into(lake).raw(raw.toString()).execute();
    Dataset<Row> late = lake.read(CloudTrailTable.NAME).filter(col("access_key_id").equalTo(key));
    assertTrue(late.filter(col("event_date").equalTo(Date.valueOf("2026-03-05"))).count() > 0,
        "the key is active on the late day");
    ActivityQuery.Plan after = ActivityQuery.on(lake).accessKey(key).plan();
    assertEquals(1, after.unindexedDays());
    DataFrames.assertEqualIgnoringOrder(late, after.events());

    MaintainJob.on(lake).targetFileBytes(16 * 1024).execute();
    assertIndexMatches(lake);
    assertEquals(0, ActivityQuery.on(lake).accessKey(key).plan().unindexedDays());
  }

  /** The index equals a plain aggregation of the table. */
  private void assertIndexMatches(Lake lake) {
    Dataset<Row> expected = lake.read(CloudTrailTable.NAME).filter(col("access_key_id").isNotNull())
        .groupBy("access_key_id", "actor_principal", "account_id", "event_date")
        .agg(count("*").as("events"), min("eventTime").as("first_seen"), max("eventTime").as("last_seen"))
        .select("access_key_id", "actor_principal", "account_id", "event_date", "events", "first_seen",
            "last_seen");
    DataFrames.assertEqualIgnoringOrder(spark.createDataFrame(expected.collectAsList(), AccessKeyTable.SCHEMA),
        spark.createDataFrame(lake.read(AccessKeyTable.NAME).collectAsList(), AccessKeyTable.SCHEMA));
  }

  @Test
  void legalHoldSyntaxErrorsAreUserErrors() {
    assertThrows(ConfException.class, () -> LegalHoldSpec.parse("user=alice"));
    assertThrows(ConfException.class, () -> LegalHoldSpec.parse("dates=2026-01-01..yesterday"));
  }
}
