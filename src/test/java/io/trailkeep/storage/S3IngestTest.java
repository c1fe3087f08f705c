package io.trailkeep.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.conf.ConfException;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.VpcFlowTable;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.S3Fixture;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Ingest through s3a and the AWS SDK against a real S3 API server over HTTP. */
class S3IngestTest {
  private final SparkSession spark = TestSpark.get();

  /** CloudTrail only: the S3 mechanics (listing, faults) do not depend on the source. */
  static Generator.Result generate(String raw, LocalDate start, int days, long events, long seed) {
    return Generator.with(TestSpark.get().sparkContext().hadoopConfiguration()).raw(raw)
        .events(events).days(days).accounts(1).seed(seed).start(start).flowRatio(0)
        .findingsPerDay(0).execute();
  }

  /** All three sources (two flow records per event keep it small). */
  private static Generator.Result generateAll(String raw, Configuration hadoop) {
    return Generator.with(hadoop).raw(raw).events(800).days(1).accounts(1).seed(21)
        .start(LocalDate.of(2026, 7, 1)).flowRatio(2).execute();
  }

  /** The table without provenance columns (paths differ between local and S3 roots). */
  static Dataset<Row> content(Lake lake, String table) {
    String[] cols = Arrays.stream(lake.read(table).schema().fieldNames())
        .filter(c -> !c.equals("source_file")).toArray(String[]::new);
    return lake.read(table).selectExpr(cols);
  }

  private static long lake(IngestJob.Result r, String table) {
    return r.tables().get(table).rowsWritten();
  }

  @Test
  void s3IngestEqualsLocalIngestAndRerunsAddNothing() {
    String raw = S3Fixture.bucket("raw") + "/org-trail";
    Lake s3Lake = new Lake(spark, S3Fixture.bucket("lake") + "/trailkeep");
    Generator.Result gen = generateAll(raw, spark.sparkContext().hadoopConfiguration());
    Path localRaw = TestSpark.tempDir("raw");
    generateAll(localRaw.toString(), new Configuration());
    Lake localLake = new Lake(spark, TestSpark.tempDir("lake").toString());

    IngestJob.Result onS3 = IngestJob.into(s3Lake).raw(raw).execute();
    IngestJob.Result local = IngestJob.into(localLake).raw(localRaw.toString()).execute();
    assertEquals(gen.events() - gen.duplicateRecords(), lake(onS3, CloudTrailTable.NAME)
        + lake(onS3, CloudTrailTable.INSIGHTS_NAME));
    assertEquals(gen.flowRecords(), lake(onS3, VpcFlowTable.NAME));
    assertTrue(lake(onS3, GuardDutyTable.NAME) > 0);
    assertEquals(local.rowsWritten(), onS3.rowsWritten());
    assertEquals(local.tables(), onS3.tables());
    assertEquals(gen.files() + gen.digestFiles() + gen.flowFiles() + gen.findingFiles(), onS3.filesSeen());
    assertEquals(onS3.filesIngested(), onS3.objectsRead());
    assertTrue(onS3.listRequests() > 0);
    for (String table : List.of(CloudTrailTable.NAME, VpcFlowTable.NAME, GuardDutyTable.NAME)) {
      DataFrames.assertEqualIgnoringOrder(content(localLake, table), content(s3Lake, table));
    }

    IngestJob.Result again = IngestJob.into(s3Lake).raw(raw).execute();
    assertEquals(0, again.rowsWritten());
    assertEquals(0, again.objectsRead());
  }

  @Test
  void nightlyListingDependsOnDaysScannedNotOnHistory() {
    long[] secondRunLists = new long[2];
    long[] secondRunSeen = new long[2];
    int[] historyDays = {30, 5};
    for (int i = 0; i < 2; i++) {
      String raw = S3Fixture.bucket("hist") + "/logs";
      Lake lake = new Lake(spark, S3Fixture.bucket("histlake"));
      LocalDate start = LocalDate.of(2026, 8, 1);
      generate(raw, start, historyDays[i], 60L * historyDays[i], 5);
      IngestJob.Result first = IngestJob.into(lake).raw(raw).execute();
      assertTrue(first.filesIngested() > 0);
      generate(raw, start.plusDays(historyDays[i]), 1, 60, 6);
      IngestJob.Result second = IngestJob.into(lake).raw(raw).lookbackDays(1).execute();
      assertTrue(second.filesIngested() > 0, "the new day is found");
      secondRunLists[i] = second.listRequests();
      secondRunSeen[i] = second.filesSeen();
    }
    // Insight files appear on some days only, so the two histories may differ by a prefix or two;
    // what matters is that 25 more days of history add no listing work.
    assertTrue(Math.abs(secondRunLists[0] - secondRunLists[1]) <= 3,
        "LIST count after 30 days of history " + secondRunLists[0] + " vs 5 days " + secondRunLists[1]);
    assertTrue(Math.abs(secondRunSeen[0] - secondRunSeen[1]) <= 4,
        "files listed after 30 days " + secondRunSeen[0] + " vs 5 days " + secondRunSeen[1]);
    assertTrue(secondRunLists[0] < 40, "bounded: " + secondRunLists[0]);
  }

  @Test
  void aMissingBucketIsAUserError() {
    S3Fixture.server();
    Lake lake = new Lake(spark, TestSpark.tempDir("lake").toString());
    ConfException e = assertThrows(ConfException.class,
        () -> IngestJob.into(lake).raw("s3a://no-such-bucket-trailkeep/x").execute());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }
}
