package io.trailkeep.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestException;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.testing.ChildJvm;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.FaultProxy;
import io.trailkeep.testing.S3Fixture;
import io.trailkeep.testing.TestSpark;
import java.time.LocalDate;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** Faults on the S3 path, for real: throttling, resets, a dying server, a killed ingest. */
class S3FaultTest {
  private final SparkSession spark = TestSpark.get();

  private static String bucketName(String s3aRoot) {
    return S3Clients.bucketAndKey(s3aRoot)[0];
  }

  private static void route(String s3aRoot, String endpoint) {
    Configuration c = TestSpark.get().sparkContext().hadoopConfiguration();
    String b = "fs.s3a.bucket." + bucketName(s3aRoot) + ".";
    c.set(b + "endpoint", endpoint);
  }

  @Test
  void throttlingAndResetsAreRetried() throws Exception {
    String raw = S3Fixture.bucket("faulty-raw");
    String lakeRoot = S3Fixture.bucket("faulty-lake");
    Generator.Result gen = S3IngestTest.generate(raw, LocalDate.of(2026, 9, 1), 1, 300, 31);
    Lake baseline = new Lake(spark, S3Fixture.bucket("baseline-lake"));
    IngestJob.into(baseline).raw(raw).execute();

    try (FaultProxy proxy = new FaultProxy(S3Fixture.server().port(), 7, 400)) {
      route(raw, proxy.endpoint());
      route(lakeRoot, proxy.endpoint());
      // new FileSystem instances pick up the per-bucket endpoint
      FileSystem.closeAll();
      Lake faulty = new Lake(spark, lakeRoot);
      IngestJob.Result r = IngestJob.into(faulty).raw(raw).execute();
      assertEquals(gen.events() - gen.duplicateRecords(), r.rowsWritten());
      DataFrames.assertEqualIgnoringOrder(baseline.read(CloudTrailTable.NAME), faulty.read(CloudTrailTable.NAME));
      assertTrue(proxy.throttled.get() > 0, "503 SlowDown injected");
      assertTrue(proxy.resets.get() > 0, "connection resets injected");
    } finally {
      route(raw, S3Fixture.server().endpoint());
      // (per-bucket endpoints restored to the shared server)
      route(lakeRoot, S3Fixture.server().endpoint());
      FileSystem.closeAll();
    }
  }

  @Test
  void aServerKilledDuringIngestFailsTheJobWithAClearMessage() {
    try (LocalS3Server doomed = LocalS3Server.start(null)) {
      Configuration c = spark.sparkContext().hadoopConfiguration();
      String bucket = "doomed-" + Long.toHexString(System.nanoTime());
      String raw = "s3a://" + bucket;
      String b = "fs.s3a.bucket." + bucket + ".";
      c.set(b + "endpoint", doomed.endpoint());
      c.set(b + "attempts.maximum", "2");
      c.set(b + "retry.limit", "2");
      c.set(b + "connection.establish.timeout", "2s");
      try (S3Client s3 = S3Clients.create(c, bucket)) {
        s3.createBucket(x -> x.bucket(bucket));
      }
      S3IngestTest.generate(raw, LocalDate.of(2026, 9, 2), 1, 200, 41);
      Lake lake = new Lake(spark, TestSpark.tempDir("lake").toString());
      Progress killer = Progress.silent().withListener(m -> {
        if (m.contains("parsing")) {
          doomed.kill();
        }
      });
      long t0 = System.nanoTime();
      IngestException e = assertThrows(IngestException.class,
          () -> IngestJob.into(lake).raw(raw).progress(killer).execute());
      assertTrue(e.getMessage().startsWith("ingest into cloudtrail failed: "), e.getMessage());
      assertTrue(e.getMessage().contains("rerun to resume"), e.getMessage());
      assertTrue(System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(5), "fails, does not hang");
      assertTrue(!lake.exists(ManifestTable.NAME) || lake.read(ManifestTable.NAME).count() == 0,
          "no file is marked done");
    }
  }

  private static String[] s3Args(String raw, String lake) {
    String e = S3Fixture.server().endpoint();
    return new String[] {"ingest", "--raw", raw, "--lake", lake, "--master", "local[2]",
        "--set", "s3.endpoint=" + e, "--set", "s3.path-style=true",
        "--set", "spark.hadoop.fs.s3a.access.key=" + LocalS3Server.IDENTITY,
        "--set", "spark.hadoop.fs.s3a.secret.key=" + LocalS3Server.CREDENTIAL};
  }

  @Test
  void anIngestKilledBeforeAndAfterItsDataCommitThenRerunGivesTheSameTables() {
    String raw = S3Fixture.bucket("kill-raw");
    S3IngestTest.generate(raw, LocalDate.of(2026, 9, 3), 1, 400, 51);
    Lake clean = new Lake(spark, S3Fixture.bucket("kill-clean"));
    IngestJob.into(clean).raw(raw).execute();
    for (String point : new String[] {"ingest.cloudtrail.parsed", "ingest.cloudtrail.committed"}) {
      Lake killed = new Lake(spark, S3Fixture.bucket("kill-lake"));
      try (ChildJvm child = ChildJvm.pausedAt(point, s3Args(raw, killed.root()))) {
        // the state at the moment of the kill, on S3
        assertEquals(point.endsWith("committed"), killed.exists(CloudTrailTable.NAME), point);
        if (point.endsWith("committed")) {
          assertEquals(clean.read(CloudTrailTable.NAME).count(), killed.read(CloudTrailTable.NAME).count());
        }
        assertTrue(!killed.exists(ManifestTable.NAME), point + ": the manifest comes last");
        child.kill();
      }
      IngestJob.into(killed).raw(raw).execute();
      assertEquals(clean.tables(), killed.tables());
      for (String t : new String[] {CloudTrailTable.NAME, CloudTrailTable.INSIGHTS_NAME}) {
        if (clean.exists(t)) {
          DataFrames.assertEqualIgnoringOrder(clean.read(t), killed.read(t));
        }
      }
      DataFrames.assertEqualIgnoringOrder(
          clean.read(ManifestTable.NAME).select("path", "status", "records", "quarantined"),
          killed.read(ManifestTable.NAME).select("path", "status", "records", "quarantined"));
    }
  }
}
