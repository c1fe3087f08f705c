package io.trailkeep.bench;

import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.maintain.MaintainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The maintained lake the {@code queries}, {@code detect} and {@code noop} steps read: the data
 * set's CloudTrail files ingested once per bench run and compacted to several files per day, as a
 * large organization's day has after a nightly. The first step that asks pays for it (one ingest
 * and one compaction, untimed); the others reuse it. Side effects: the lake under the scratch
 * folder.
 */
final class SharedLake {
  private final SparkSession spark;
  private final Path scratch;
  private final BenchData data;
  private final int days;
  private Lake lake;

  SharedLake(SparkSession spark, Path scratch, BenchData data, int days) {
    this.spark = spark;
    this.scratch = scratch;
    this.data = data;
    this.days = days;
  }

  Lake get() throws IOException {
    if (lake == null) {
      Lake l = new Lake(spark, Files.createTempDirectory(scratch, "lake-shared").toString());
      IngestJob.into(l).raw(data.raw().toString()).sources("cloudtrail").execute();
      MaintainJob.on(l).targetFileBytes(fileBytes()).execute();
      lake = l;
    }
    return lake;
  }

  /** A file size giving the lake several files per day (a 24th of a day's gzip bytes, 64 KiB at least). */
  long fileBytes() {
    return Math.max(64 * 1024, data.gzipBytes() / Math.max(1, days) / 24);
  }
}
