package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import io.trailkeep.conf.ConfException;
import io.trailkeep.ingest.Fetch.Fetched;
import io.trailkeep.job.CrashPoints;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.internal.InternalRows;
import io.trailkeep.storage.RawFile;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Lands one batch of raw files of one {@link SourceFormat} in its table, in named steps:
 * {@link Fetch fetch} each file once, {@link ParsedRows parse} it twice from the fetched bytes (a
 * keys pass and a write pass), read the per-file summaries, then either {@link Deduplicate} and
 * append, or {@link LatestVersionMerge merge} for formats that keep the latest version, then
 * {@link QuarantineWriter quarantine}. The caller commits the manifest entries this returns once
 * per run, after every batch.
 *
 * <p>Cost: each raw file is fetched once, in executors; the keys pass is cached (narrow rows), the
 * write pass streams into the Delta commit and is never cached. De-duplication shuffles bucket
 * columns only.
 *
 * <p>Crash safety: data commit, then quarantine commit; the manifest comes after every batch. A
 * crash before the manifest leaves the run's files un-manifested; a rerun parses them again and
 * de-duplication plus the quarantine anti-join drop what landed, so the tables converge (tested
 * by killing a child JVM at the points named {@code ingest.<table>.parsed}, {@code .writing} and
 * {@code .committed}, see {@link CrashPoints}).
 */
final class IngestBatch {
  private IngestBatch() {}

  /** Options of the batch: how files are split into tasks and what the parser keeps. */
  record Settings(int filesPerTask, long maxFileBytes, int quarantineRawChars) {}

  /** What one file gave: records, quarantined items (and records among them), or our failure. */
  record FileResult(long records, long quarantined, long quarantinedRecords, String failure) {
    FileResult plus(long r, long q, long qr) {
      return new FileResult(records + r, quarantined + q, quarantinedRecords + qr, failure);
    }
  }

  /** Counts of one batch (one table). */
  record Counts(long filesParsed, long filesIngested, long filesQuarantined, long filesFailed,
      long recordsRead, long rowsWritten, long duplicatesDropped, long quarantined,
      long keyConflicts, long objectsRead, long bytesRead, long quarantineResolved) {
    static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    Counts plus(Counts o) {
      return new Counts(filesParsed + o.filesParsed, filesIngested + o.filesIngested,
          filesQuarantined + o.filesQuarantined, filesFailed + o.filesFailed,
          recordsRead + o.recordsRead, rowsWritten + o.rowsWritten,
          duplicatesDropped + o.duplicatesDropped, quarantined + o.quarantined,
          keyConflicts + o.keyConflicts, objectsRead + o.objectsRead, bytesRead + o.bytesRead,
          quarantineResolved + o.quarantineResolved);
    }
  }

  /** The batch's counts, its manifest entries and the files our code failed on. */
  record Outcome(String table, Counts counts, List<Manifest.Entry> manifest, List<String> failures) {}

  /**
   * Ingests {@code files}, all accepted by {@code format} and bound for {@code table}.
   *
   * @param retried files re-read by {@code --retry-quarantined}: their quarantine rows that do
   *     not reproduce are removed after the data commit
   */
  static Outcome run(Lake lake, JobAction.Run run, Settings settings, SourceFormat format,
      String table, List<RawFile> files, boolean retried) {
    if (files.isEmpty()) {
      return new Outcome(table, Counts.ZERO, List.of(), List.of());
    }
    SparkSession spark = lake.spark();
    Progress progress = run.progress();
    ParsedRows.Layout layout = new ParsedRows.Layout(format);
    boolean hashed = !format.contentColumns().isEmpty();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // each task pays for code generation and encoder setup: few large tasks, but two per core
    int slices = Math.max(Math.min(files.size(), 2 * spark.sparkContext().defaultParallelism()),
        (files.size() + settings.filesPerTask() - 1) / settings.filesPerTask());
    Fetched fetched = Fetch.plan(jsc, files, slices, settings.maxFileBytes());
    Dataset<Row> keysPass = keysPass(spark, format, layout, settings, fetched, hashed)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> records = InternalRows.dataFrame(spark, fetched.blobs().mapPartitions(
        new ParsedRows.ParseFiles(format, layout, settings.maxFileBytes(),
            settings.quarantineRawChars(), format.schema())), format.schema());
    if (hashed) {
      records = records.withColumn(Deduplicate.HASH, xxhash64(Deduplicate.names(format.contentColumns())));
    }
    List<Dataset<Row>> release = new ArrayList<>();
    String marker = run.runId() + "/" + table;
    try {
      progress.info("%s: parsing %d files into %s", format.source(), files.size(), table);
      spark.sparkContext().setJobDescription("parse " + files.size() + " files for " + table);
      Map<String, FileResult> perFile = new HashMap<>();
      List<Object> touched = summarize(keysPass, format.partitionColumn(), perFile);
      CrashPoints.reach("ingest." + table + ".parsed");
      long good = 0;
      long bad = 0;
      long badRecords = 0;
      List<String> failures = new ArrayList<>();
      for (Map.Entry<String, FileResult> e : perFile.entrySet()) {
        FileResult c = e.getValue();
        good += c.records();
        bad += c.quarantined();
        badRecords += c.quarantinedRecords();
        if (c.failure() != null) {
          failures.add(e.getKey());
          progress.info("%s: ERROR our code failed on %s; it is not marked done and the next run "
              + "retries it: %s", table, e.getKey(), firstLine(c.failure()));
        }
      }
      boolean created = lake.ensure(table, format.schema(), format.partitionColumn(),
          format.tableProperties());
      long dropped = 0;
      long written = 0;
      long conflicts = 0;
      if (good > 0 && format.latestBy() != null) {
        LatestVersionMerge.Merged merged = LatestVersionMerge.upsert(lake, format, table,
            CrashPoints.pauseAfterRows(records, "ingest." + table + ".writing"), run.settings(), marker);
        written = merged.written();
        dropped = good - written;
        progress.info("%s: %d rows inserted or updated, %d older or repeated versions not applied",
            table, written, dropped);
      } else if (good > 0) {
        spark.sparkContext().setJobDescription("de-duplicate " + table);
        Dataset<Row> batchKeys = keysPass.filter(col(ParsedRows.KIND).equalTo(ParsedRows.RECORD));
        Deduplicate.Duplicates d = Deduplicate.find(lake, format, table, batchKeys, created,
            touched, release);
        dropped = d.dropped();
        conflicts = d.conflicts();
        if (d.drop() != null) {
          records = records.join(d.drop(), new String[] {ParsedRows.SOURCE_FILE,
              ParsedRows.SOURCE_POSITION}, "left_anti");
        }
        progress.info("%s: %d duplicates found", table, dropped);
        written = good - dropped;
        if (written > 0) {
          spark.sparkContext().setJobDescription("write " + table);
          CrashPoints.pauseAfterRows(records, "ingest." + table + ".writing")
              .write().format("delta").mode("append").option("userMetadata", marker)
              .save(lake.pathOf(table));
          progress.info("%s: %d rows committed", table, written);
        }
      }
      if (bad > 0) {
        QuarantineWriter.write(lake, format.source(), keysPass, run.runId(), marker + "/quarantine");
      }
      long resolved = 0;
      if (retried) {
        Set<String> done = new LinkedHashSet<>(perFile.keySet());
        failures.forEach(done::remove);
        resolved = QuarantineWriter.resolve(lake, format.source(), done, keysPass,
            marker + "/resolved", run.settings());
      }
      CrashPoints.reach("ingest." + table + ".committed");
      if (conflicts > 0) {
        progress.info("%s: WARNING %d record keys %s arrived with different content; all versions "
            + "were kept (see README, de-duplication)", table, conflicts, format.dedupKey());
      }
      List<Manifest.Entry> manifest = new ArrayList<>();
      long filesIngested = 0;
      long filesQuarantined = 0;
      for (RawFile f : files) {
        FileResult c = perFile.getOrDefault(f.path, new FileResult(0, 0, 0, null));
        String status;
        if (c.failure() != null) {
          status = "failed";
        } else if (c.quarantined() == 0) {
          status = "ingested";
          filesIngested++;
        } else if (c.records() == 0) {
          status = "quarantined";
          filesQuarantined++;
        } else {
          status = "partial";
          filesIngested++;
        }
        manifest.add(new Manifest.Entry(f, format.source(), c.records(), c.quarantined(), status,
            c.failure() == null ? null : firstLine(c.failure())));
      }
      Counts counts = new Counts(files.size(), filesIngested, filesQuarantined, failures.size(),
          good + badRecords, written, dropped, bad, conflicts, fetched.objectsRead().value(),
          fetched.bytesRead().value(), resolved);
      progress.info("%s: %d records, %d rows written, %d duplicates dropped, %d quarantined",
          table, counts.recordsRead(), counts.rowsWritten(), counts.duplicatesDropped(),
          counts.quarantined());
      return new Outcome(table, counts, manifest, failures);
    } catch (ConfException | IngestException e) {
      throw e;
    } catch (Exception e) {
      // Spark throws SparkException (checked in Java's eyes) without declaring it
      throw new IngestException("ingest into " + table + " failed: " + rootMessage(e)
          + "; nothing after the last committed step was kept, rerun to resume", e);
    } finally {
      // newest first: nothing cached later is left built on what is uncached (no re-planning)
      for (int i = release.size() - 1; i >= 0; i--) {
        release.get(i).unpersist();
      }
      keysPass.unpersist();
      fetched.release();
      spark.sparkContext().setJobDescription(null);
    }
  }

  /** The keys pass: narrow rows plus, for hashed formats, the content hash. */
  private static Dataset<Row> keysPass(SparkSession spark, SourceFormat format,
      ParsedRows.Layout layout, Settings settings, Fetched fetched, boolean hashed) {
    StructType narrow = layout.keys(format);
    if (!hashed) {
      return InternalRows.dataFrame(spark, fetched.blobs().mapPartitions(new ParsedRows.ParseFiles(
          format, layout, settings.maxFileBytes(), settings.quarantineRawChars(), narrow)), narrow);
    }
    // the hash needs every content column: parse whole rows, keep the narrow ones and the hash
    List<Column> keep = new ArrayList<>();
    for (String n : narrow.fieldNames()) {
      keep.add(col(n));
    }
    keep.add(xxhash64(Deduplicate.names(format.contentColumns())).alias(Deduplicate.HASH));
    for (String b : format.dedupBucket()) {
      if (!b.equals(Deduplicate.HASH) && !List.of(narrow.fieldNames()).contains(b)) {
        keep.add(col(b));
      }
    }
    return InternalRows.dataFrame(spark, fetched.blobs().mapPartitions(new ParsedRows.ParseFiles(
        format, layout, settings.maxFileBytes(), settings.quarantineRawChars(), layout.combined)),
        layout.combined).select(keep.toArray(new Column[0]));
  }

  /**
   * Reads the per-file summary rows: fills {@code perFile} and returns the partition values that
   * received records. This job also fills the keys-pass cache.
   */
  private static List<Object> summarize(Dataset<Row> keysPass, String partitionColumn,
      Map<String, FileResult> perFile) {
    Set<Object> days = new LinkedHashSet<>();
    for (Row r : keysPass.filter(col(ParsedRows.KIND).equalTo(ParsedRows.FILE_SUMMARY))
        .select(col(ParsedRows.SOURCE_FILE), col(partitionColumn), col(ParsedRows.F_RECORDS),
            col(ParsedRows.F_QUARANTINED), col(ParsedRows.F_QUARANTINED_RECORDS),
            col(ParsedRows.F_FAILURE))
        .collectAsList()) {
      String file = r.getString(0);
      FileResult c = perFile.getOrDefault(file, new FileResult(0, 0, 0, r.getString(5)));
      perFile.put(file, c.plus(r.getLong(2), r.getLong(3), r.getLong(4)));
      if (!r.isNullAt(1) && r.getLong(2) > 0) {
        days.add(r.get(1));
      }
    }
    return new ArrayList<>(days);
  }

  static String rootMessage(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    String m = r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
    return r.getClass().getSimpleName() + ": " + firstLine(m);
  }

  static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static Collection<String> paths(List<RawFile> files) {
    List<String> out = new ArrayList<>();
    for (RawFile f : files) {
      out.add(f.path);
    }
    return out;
  }
}
