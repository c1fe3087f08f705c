package io.trailkeep.bench;

import io.trailkeep.integrity.ValidateJob;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.SparkSession;

/**
 * Bench step {@code validate}: digest validation of the data set (signatures, chains, SHA-256 of
 * every log file) against the plain work it cannot avoid, gunzip + SHA-256 of the same log files
 * on one core, in the same run.
 */
final class ValidateStep {
  private ValidateStep() {}

  static Map<String, Object> run(SparkSession spark, Path dir, BenchData data, int repeats,
      Progress progress) throws IOException {
    int cores = spark.sparkContext().defaultParallelism();
    AtomicLong logs = new AtomicLong();
    AtomicLong digests = new AtomicLong();
    AtomicLong problems = new AtomicLong();
    double ours = Timing.best(repeats, () -> {
      Lake lake = new Lake(spark, Files.createTempDirectory(dir, "lake-validate").toString());
      ValidateJob.Result r = ValidateJob.on(lake).raw(data.raw().toString())
          .publicKeys(data.raw().resolve("cloudtrail-public-keys.json").toString()).execute();
      logs.set(r.logsChecked());
      digests.set(r.digestsChecked());
      problems.set(r.problemCount());
    });
    AtomicLong uncompressed = new AtomicLong();
    double baseline = Timing.best(repeats, () -> {
      long n = 0;
      byte[] buf = new byte[1 << 16];
      for (Path f : data.files()) {
        MessageDigest md = sha256();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(f), 1 << 16)) {
          for (int r; (r = in.read(buf)) > 0; ) {
            md.update(buf, 0, r);
            n += r;
          }
        }
        md.digest();
      }
      uncompressed.set(n);
    });
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("log_files", logs.get());
    m.put("digests", digests.get());
    m.put("problems", problems.get());
    m.put("gzip_bytes", data.gzipBytes());
    m.put("uncompressed_bytes", uncompressed.get());
    m.put("trailkeep_seconds", ours);
    m.put("trailkeep_logs_s_per_core", logs.get() / ours / cores);
    m.put("trailkeep_mb_s_per_core", uncompressed.get() / 1e6 / ours / cores);
    m.put("gunzip_sha256_one_core_seconds", baseline);
    m.put("gunzip_sha256_logs_s", data.files().size() / baseline);
    m.put("gunzip_sha256_mb_s", uncompressed.get() / 1e6 / baseline);
    m.put("per_core_vs_one_core_baseline", (baseline / data.files().size())
        / (ours * cores / Math.max(1, logs.get())));
    progress.info("bench: validate %s", m);
    return m;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
