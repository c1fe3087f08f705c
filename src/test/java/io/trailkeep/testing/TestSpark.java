package io.trailkeep.testing;

import io.trailkeep.spark.Sessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The one local Spark session of the test JVM (local[2], 2 shuffle partitions, UI off, adaptive
 * query execution off), with the same fixed settings as production sessions. Created on first use,
 * stopped at JVM exit.
 *
 * <p>Adaptive execution is off because with two shuffle partitions it has nothing to coalesce, while
 * re-planning every shuffle stage of the suite's many small queries cost about a fifth of their time
 * (RuleCasesTest: 119 s with it, 95 s without). Production sessions keep it on; the jobs' results do
 * not depend on it (the child JVMs of the crash and bench tests run with it on).
 */
public final class TestSpark {
  private static SparkSession spark;
  private static java.util.Map<String, String> initialConf;

  private TestSpark() {}

  public static synchronized SparkSession get() {
    if (spark == null) {
      SparkConf c = new SparkConf(false)
          .setMaster("local[2]")
          .setAppName("trailkeep-tests")
          .set("spark.ui.enabled", "false")
          .set("spark.sql.shuffle.partitions", "2")
          .set("spark.default.parallelism", "2")
          .set("spark.driver.host", "127.0.0.1")
          .set("spark.driver.bindAddress", "127.0.0.1")
          .set("spark.sql.warehouse.dir", tempDir("warehouse").toString())
          .set("spark.databricks.delta.snapshotPartitions", "2")
          .set("spark.sql.adaptive.enabled", "false");
      Sessions.applyFixed(c);
      spark = SparkSession.builder().config(c).getOrCreate();
      spark.sparkContext().setLogLevel("ERROR");
      DataFrames.bind(spark);
      initialConf = java.util.Map.copyOf(Sessions.runtimeConf(spark));
    }
    return spark;
  }

  /** The session if a test started it, else null (nothing is started). */
  public static synchronized SparkSession ifStarted() {
    return spark;
  }

  /** The session's runtime settings as they were when it was created. */
  public static synchronized java.util.Map<String, String> initialConf() {
    return initialConf;
  }

  /** A fresh temporary directory. */
  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory("trailkeep-" + prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
