package io.trailkeep.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.to_date;

import io.trailkeep.ingest.IngestJob;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.JsonSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Bench step {@code ingest}: TrailKeep's ingest against Spark's own JSON reader (multiLine,
 * explicit schema, explode, Delta write) on the same files, interleaved, best of the repeats.
 */
final class IngestStep {
  private IngestStep() {}

  /** The baseline's schema: the same top-level record fields, free-form objects as strings. */
  static StructType baselineSchema() {
    List<StructField> fields = new ArrayList<>();
    for (StructField f : CloudTrailTable.RECORD.sparkType().fields()) {
      if (!f.name().equals(JsonSpec.EXTRA)) {
        fields.add(f);
      }
    }
    StructType record = DataTypes.createStructType(fields);
    return DataTypes.createStructType(new StructField[] {
        DataTypes.createStructField("Records", DataTypes.createArrayType(record), true)});
  }

  static Map<String, Object> run(SparkSession spark, Path dir, BenchData data, int repeats,
      Progress progress) throws IOException {
    int cores = spark.sparkContext().defaultParallelism();
    double oursBest = Double.MAX_VALUE;
    double baseBest = Double.MAX_VALUE;
    long oursPeak = 0;
    long basePeak = 0;
    long rows = 0;
    long baseRows = 0;
    for (int i = 0; i < repeats; i++) {
      Path lake = Files.createTempDirectory(dir, "lake-ours");
      Timing.resetPeaks();
      long t0 = System.nanoTime();
      IngestJob.Result r = IngestJob.into(new Lake(spark, lake.toString())).raw(data.raw().toString())
          .sources("cloudtrail").execute();
      oursBest = Math.min(oursBest, (System.nanoTime() - t0) / 1e9);
      oursPeak = Math.max(oursPeak, Timing.peakHeap());
      rows = r.recordsRead();
      progress.info("bench: TrailKeep ingest run %d: %.1fs", i + 1, (System.nanoTime() - t0) / 1e9);

      Path baseLake = Files.createTempDirectory(dir, "lake-spark-json");
      Timing.resetPeaks();
      t0 = System.nanoTime();
      Dataset<Row> df = spark.read().option("multiLine", true).schema(baselineSchema())
          .json(data.logGlob())
          .select(explode(col("Records")).alias("r")).select("r.*")
          .withColumn("event_date", to_date(col("eventTime")));
      df.write().format("delta").partitionBy("event_date").save(baseLake.toString());
      baseBest = Math.min(baseBest, (System.nanoTime() - t0) / 1e9);
      basePeak = Math.max(basePeak, Timing.peakHeap());
      baseRows = spark.read().format("delta").load(baseLake.toString()).count();
      progress.info("bench: Spark JSON reader run %d: %.1fs", i + 1, (System.nanoTime() - t0) / 1e9);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("records_read", rows);
    m.put("trailkeep_seconds", oursBest);
    m.put("trailkeep_records_s_per_core", rows / oursBest / cores);
    m.put("trailkeep_gzip_mb_s_per_core", data.gzipBytes() / 1e6 / oursBest / cores);
    m.put("trailkeep_peak_heap_mb", oursPeak >> 20);
    m.put("spark_json_seconds", baseBest);
    m.put("spark_json_rows", baseRows);
    m.put("spark_json_records_s_per_core", baseRows / baseBest / cores);
    m.put("spark_json_peak_heap_mb", basePeak >> 20);
    m.put("speedup", baseBest / oursBest);
    progress.info("bench: ingest %s", m);
    return m;
  }
}
