package io.trailkeep.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.S3Fixture;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Ingest through s3a and the AWS SDK against a real S3 API server over HTTP. */
class S3IngestTest {
  private final SparkSession spark = TestSpark.get();

  static Generator.Result generate(String raw, LocalDate start, int days, long events, long seed) {
    return Generator.with(TestSpark.get().sparkContext().hadoopConfiguration()).raw(raw)
        .events(events).days(days).accounts(1).seed(seed).start(start).execute();
  }

  /** The table without provenance columns (paths differ between local and S3 roots). */
  static Dataset<Row> content(Lake lake) {
    String[] cols = Arrays.stream(CloudTrailTable.SCHEMA.fieldNames())
        .filter(c -> !c.equals("source_file")).toArray(String[]::new);
    return lake.read(CloudTrailTable.NAME).selectExpr(cols);
  }

  @Test
  void s3IngestEqualsLocalIngestAndRerunsAddNothing() {
    String raw = S3Fixture.bucket("raw") + "/org-trail";
    Lake s3Lake = new Lake(spark, S3Fixture.bucket("lake") + "/trailkeep");
    Generator.Result gen = generate(raw, LocalDate.of(2026, 7, 1), 1, 800, 21);
    Path localRaw = TestSpark.tempDir("raw");
    Generator.with(new Configuration()).raw(localRaw.toString()).events(800).days(1).accounts(1)
        .seed(21).start(LocalDate.of(2026, 7, 1)).execute();
    Lake localLake = new Lake(spark, TestSpark.tempDir("lake").toString());

    IngestJob.Result onS3 = IngestJob.into(s3Lake).raw(raw).execute();
    IngestJob.Result local = IngestJob.into(localLake).raw(localRaw.toString()).execute();
    assertEquals(gen.events - gen.duplicates, onS3.rowsWritten);
    assertEquals(local.rowsWritten, onS3.rowsWritten);
    assertEquals(gen.files + gen.digestFiles, onS3.filesSeen);
    assertEquals(onS3.filesIngested, onS3.getRequests);
    assertTrue(onS3.listRequests > 0);
    DataFrames.assertEqualIgnoringOrder(content(localLake), content(s3Lake));

    IngestJob.Result again = IngestJob.into(s3Lake).raw(raw).execute();
    assertEquals(0, again.rowsWritten);
    assertEquals(0, again.getRequests);
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
      assertTrue(first.filesIngested > 0);
      generate(raw, start.plusDays(historyDays[i]), 1, 60, 6);
      IngestJob.Result second = IngestJob.into(lake).raw(raw).lookbackDays(1).execute();
      assertTrue(second.filesIngested > 0, "the new day is found");
      secondRunLists[i] = second.listRequests;
      secondRunSeen[i] = second.filesSeen;
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
    io.trailkeep.conf.ConfException e = assertThrows(io.trailkeep.conf.ConfException.class,
        () -> IngestJob.into(lake).raw("s3a://no-such-bucket-trailkeep/x").execute());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }
}
