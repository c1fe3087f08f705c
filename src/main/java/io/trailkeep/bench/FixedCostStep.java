package io.trailkeep.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.to_date;

import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.job.Progress;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.spark.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;

/**
 * Bench steps {@code noop} and {@code cold}: what a run costs when it has little or nothing to do,
 * which users pay every night on EMR and Glue.
 *
 * <ul>
 *   <li>{@code noop}: on the data set's maintained lake ({@link SharedLake}), the nightly ingest again with nothing new
 *       (best of the repeats): its job seconds and the manifest's file count, next to a recursive
 *       listing of the raw root with Hadoop's FileSystem, the least any run that looks for new
 *       files does.
 *   <li>{@code cold}: a fresh 1 GiB child JVM ingesting a batch of 1,500 events into a new lake:
 *       the job's seconds and the whole process's, next to a fresh child running Spark's JSON
 *       reader (explicit schema, Delta write) on the same files. Row counts of both sides; the
 *       difference is the duplicates TrailKeep drops (the generator re-delivers some records, as
 *       CloudTrail does), which the output names.
 * </ul>
 */
final class FixedCostStep {
  private FixedCostStep() {}

  static final long COLD_EVENTS = 1500;

  static Map<String, Object> noop(SparkSession spark, SharedLake shared, BenchData data, int repeats,
      Progress progress) throws IOException {
    Lake lake = shared.get();
    long manifestFiles = lake.read(ManifestTable.NAME).count();
    double best = Double.MAX_VALUE;
    IngestJob.Result last = null;
    double listingBest = Double.MAX_VALUE;
    long listed = 0;
    for (int i = 0; i < repeats; i++) {
      last = IngestJob.into(lake).raw(data.raw().toString()).sources("cloudtrail").execute();
      best = Math.min(best, last.seconds());
      long t0 = System.nanoTime();
      listed = listRecursively(spark, data.raw());
      listingBest = Math.min(listingBest, (System.nanoTime() - t0) / 1e9);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("manifest_files", manifestFiles);
    m.put("files_ingested", last.filesIngested());
    m.put("rows_written", last.rowsWritten());
    m.put("trailkeep_seconds", best);
    m.put("listing_seconds", listingBest);
    m.put("listing_files", listed);
    m.put("goal_seconds", 10);
    progress.info("bench: noop %s", m);
    return m;
  }

  private static long listRecursively(SparkSession spark, Path raw) throws IOException {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(raw.toUri());
    FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
    long n = 0;
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
    while (it.hasNext()) {
      it.next();
      n++;
    }
    return n;
  }

  static Map<String, Object> cold(Path work, Path scratch, Progress progress) throws IOException {
    Path raw = work.resolve("raw-cold-" + COLD_EVENTS);
    if (!Files.isDirectory(raw.resolve("AWSLogs"))) {
      Generator.with(new Configuration()).raw(raw.toString()).events(COLD_EVENTS).days(1).accounts(1)
          .flowRatio(0).findingsPerDay(0).seed(99).start(LocalDate.of(2026, 10, 1)).execute();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("heap", "1g");
    m.put("events", COLD_EVENTS);
    BenchChild ours = BenchChild.run(FixedCostStep.class, List.of("trailkeep", raw.toString(),
        Files.createTempDirectory(scratch, "lake-cold-").toString()), scratch.resolve("cold-trailkeep.log"));
    BenchChild base = BenchChild.run(FixedCostStep.class, List.of("spark-json", raw.toString(),
        Files.createTempDirectory(scratch, "lake-cold-json-").toString()), scratch.resolve("cold-spark-json.log"));
    if (ours.error() != null || base.error() != null) {
      m.put("error", ours.error() != null ? ours.error() : base.error());
      return m;
    }
    long rows = ours.json().get("rows").asLong();
    long dropped = ours.json().get("duplicates_dropped").asLong();
    long baseRows = base.json().get("rows").asLong();
    m.put("trailkeep_job_seconds", ours.json().get("job_seconds").asDouble());
    m.put("trailkeep_process_seconds", ours.processSeconds());
    m.put("trailkeep_rows", rows);
    m.put("spark_json_job_seconds", base.json().get("job_seconds").asDouble());
    m.put("spark_json_process_seconds", base.processSeconds());
    m.put("spark_json_rows", baseRows);
    m.put("rows_difference", baseRows - rows);
    m.put("rows_difference_explained_by", baseRows - rows == dropped
        ? "duplicate deliveries TrailKeep drops (" + dropped + ")" : null);
    m.put("goal_job_seconds", 20);
    progress.info("bench: cold %s", m);
    return m;
  }

  /**
   * Entry point of a cold child: {@code trailkeep|spark-json RAW LAKE}. One ingest of RAW's
   * CloudTrail files into LAKE on local[2] with the session the CLI would build; prints one JSON
   * line: the job's seconds (session start excluded), rows in the table, duplicates dropped.
   */
  public static void main(String[] args) throws IOException {
    String mode = args[0];
    String raw = args[1];
    String lakeDir = args[2];
    TrailkeepConf conf = TrailkeepConf.resolve(null, Map.of("master", "local[2]"));
    try (Sessions.Handle h = Sessions.open(conf, "bench-cold")) {
      SparkSession spark = h.spark();
      Map<String, Object> out = new LinkedHashMap<>();
      long t0 = System.nanoTime();
      if (mode.equals("trailkeep")) {
        IngestJob.Result r = IngestJob.into(new Lake(spark, lakeDir)).raw(raw).sources("cloudtrail").execute();
        out.put("job_seconds", (System.nanoTime() - t0) / 1e9);
        out.put("rows", r.tables().get("cloudtrail").rowsWritten());
        out.put("duplicates_dropped", r.duplicatesDropped());
      } else {
        spark.read().option("multiLine", true).schema(IngestStep.baselineSchema())
            .json(BenchData.logGlob(Path.of(raw)))
            .select(explode(col("Records")).alias("r")).select("r.*")
            .withColumn("event_date", to_date(col("eventTime")))
            .write().format("delta").partitionBy("event_date").save(lakeDir);
        out.put("job_seconds", (System.nanoTime() - t0) / 1e9);
        out.put("rows", spark.read().format("delta").load(lakeDir).count());
      }
      System.out.println(Json.write(out));
    }
  }
}
