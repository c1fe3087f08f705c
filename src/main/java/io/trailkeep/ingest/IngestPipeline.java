package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.delta.tables.DeltaTable;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.schema.QuarantineTable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Lands a batch of raw files of one {@link SourceFormat} in its Delta table, its quarantine table
 * and the manifest, reading each raw file exactly once.
 *
 * <p>Cost: each raw file is fetched once, in executors, and its stored (gzip) bytes are cached;
 * two parses run from that cache: a keys pass (key columns, content hash, quarantine rows,
 * per-file counts; cached, narrow) and the write pass (whole rows, streamed into the Delta append,
 * never cached). De-duplication shuffles key columns only: one aggregation over the batch's keys
 * and the table's keys in the partitions the batch touches (skipped for a table this batch
 * created); the exact checks run on the cached keys of repeated keys. Then one Delta append per
 * table. No cached result refers to a Delta table, so the appends never re-plan one.
 *
 * <p>Crash safety: the data table is written first, then quarantine; the manifest is committed
 * once per run, after every batch. A crash before that commit leaves the run's files
 * un-manifested, so a rerun parses them again; the key anti-join against the table and the
 * (file, position, reason) anti-join against quarantine drop what already landed, so the rerun
 * converges on the same tables.
 */
public final class IngestPipeline {
  static final String KIND = "_kind";
  static final String Q_REASON = "_q_reason";
  static final String Q_RAW = "_q_raw";
  static final String Q_LEN = "_q_len";
  static final String Q_RECORD = "_q_record";
  static final String F_GOOD = "_f_good";
  static final String F_BAD = "_f_bad";
  static final String F_BAD_RECORDS = "_f_bad_records";
  private static final String RECORD = "R";
  private static final String QUARANTINED = "Q";
  /** A per-file summary row: counts of one file, one row per partition value it touched. */
  private static final String FILE = "F";
  private static final List<String> PROVENANCE = List.of("source_file", "source_position");
  /** Content fingerprint column of de-duplicated tables. */
  public static final String HASH = "record_hash";

  private final SparkSession spark;
  private final Lake lake;
  private final Progress progress;
  private final int filesPerTask;
  private final long maxFileBytes;
  private final int quarantineRawChars;

  public IngestPipeline(Lake lake, Progress progress, int filesPerTask, long maxFileBytes,
      int quarantineRawChars) {
    this.spark = lake.spark();
    this.lake = lake;
    this.progress = progress;
    this.filesPerTask = filesPerTask;
    this.maxFileBytes = maxFileBytes;
    this.quarantineRawChars = quarantineRawChars;
  }

  /** Counts of one batch; added up by the job. */
  public static final class BatchCounts {
    public long filesIngested;
    public long filesQuarantined;
    public long recordsRead;
    public long rowsWritten;
    public long duplicatesDropped;
    public long quarantined;
    public long bytesRead;
    public long keyConflicts;

    public void add(BatchCounts o) {
      keyConflicts += o.keyConflicts;
      filesIngested += o.filesIngested;
      filesQuarantined += o.filesQuarantined;
      recordsRead += o.recordsRead;
      rowsWritten += o.rowsWritten;
      duplicatesDropped += o.duplicatesDropped;
      quarantined += o.quarantined;
      bytesRead += o.bytesRead;
    }
  }

  /**
   * Ingests {@code files}, all accepted by {@code format} and bound for {@code table}, and adds
   * their manifest rows to {@code manifest}: the caller commits those after every batch of the run
   * (see {@link #appendManifest}), so a crash before that commit makes a rerun read the run's
   * files again, and the de-duplication drops what already landed.
   */
  public BatchCounts ingest(SourceFormat format, String table, List<RawFile> files, String runId,
      List<Row> manifest) {
    BatchCounts counts = new BatchCounts();
    if (files.isEmpty()) {
      return counts;
    }
    StructType combined = combinedSchema(format.schema());
    boolean hashed = !format.contentColumns().isEmpty();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableHadoopConf> hconf =
        jsc.broadcast(new SerializableHadoopConf(jsc.hadoopConfiguration()));
    // each task pays for code generation and encoder setup: few large tasks, but two per core
    int slices = Math.max(Math.min(files.size(), 2 * spark.sparkContext().defaultParallelism()),
        (files.size() + filesPerTask - 1) / filesPerTask);
    // each raw file is fetched once and kept as stored (gzip): parsing it again costs less than
    // caching the wide rows, so the keys pass and the write pass both parse from this cache
    JavaRDD<RawBlob> blobs = jsc.parallelize(files, slices)
        .map(new ReadFile(hconf, maxFileBytes))
        .persist(StorageLevel.MEMORY_AND_DISK());
    // the keys pass keeps key columns, quarantine and summaries, plus the content hash for
    // hashed formats, so exact de-duplication never parses a file a third time
    StructType narrow = narrowSchema(format, combined);
    Dataset<Row> keysPass;
    if (hashed) {
      List<Column> keep = new ArrayList<>();
      for (String n : narrow.fieldNames()) {
        keep.add(col(n));
      }
      keep.add(xxhash64(names(format.contentColumns())).alias(HASH));
      keysPass = CatalystRows.dataFrame(spark, blobs.mapPartitions(new ParseFiles(format,
          maxFileBytes, quarantineRawChars, combined, combined)).rdd(), combined)
          .select(keep.toArray(new Column[0]));
    } else {
      keysPass = CatalystRows.dataFrame(spark, blobs.mapPartitions(new ParseFiles(format,
          maxFileBytes, quarantineRawChars, combined, narrow)).rdd(), narrow);
    }
    Dataset<Row> parsed = keysPass.persist(StorageLevel.MEMORY_AND_DISK());
    StructType full = format.schema();
    Dataset<Row> wholeRows = CatalystRows.dataFrame(spark, blobs.mapPartitions(new ParseFiles(
        format, maxFileBytes, quarantineRawChars, combined, full)).rdd(), full);
    Dataset<Row> records = hashed
        ? wholeRows.withColumn(HASH, xxhash64(names(format.contentColumns()))) : wholeRows;
    List<Dataset<Row>> release = new ArrayList<>();
    try {
      progress.info("%s: parsing %d files into %s", format.source(), files.size(), table);
      spark.sparkContext().setJobDescription("parse " + files.size() + " files for " + table);
      Map<String, long[]> perFile = new HashMap<>();
      List<Object> touched = new ArrayList<>();
      summarize(parsed, format.partitionColumn(), perFile, touched);
      progress.info("%s: parsed", table);
      long good = 0;
      long bad = 0;
      long badRecords = 0;
      for (long[] c : perFile.values()) {
        good += c[0];
        bad += c[1];
        badRecords += c[2];
      }
      boolean created =
          lake.ensure(table, format.schema(), format.partitionColumn(), format.tableProperties());
      long dropped = 0;
      long written = 0;
      long[] conflicts = new long[1];
      if (good > 0 && format.latestBy() != null) {
        long[] merged = upsert(format, table, records);
        written = merged[0];
        dropped = good - written;
        progress.info("%s: %d rows inserted or updated, %d older or repeated versions not applied",
            table, written, dropped);
      } else if (good > 0) {
        spark.sparkContext().setJobDescription("de-duplicate " + table);
        Dataset<Row> keys = parsed.filter(col(KIND).equalTo(RECORD));
        long[] found = new long[2];
        Dataset<Row> drop = duplicates(format, table, created, keys, perFile.keySet(), touched,
            found, release);
        dropped = found[0];
        conflicts[0] = found[1];
        if (drop != null && dropped > 0) {
          records = records.join(drop, new String[] {"source_file", "source_position"}, "left_anti");
        }
        progress.info("%s: %d duplicates found", table, dropped);
        written = good - dropped;
        if (written > 0) {
          spark.sparkContext().setJobDescription("write " + table);
          records.write().format("delta").mode("append").save(lake.pathOf(table));
          progress.info("%s: %d rows committed", table, written);
        }
      }
      if (bad > 0) {
        writeQuarantine(format.source(), parsed);
      }
      manifest.addAll(manifestRows(format, files, perFile, runId));
      counts.recordsRead = good + badRecords;
      counts.rowsWritten = written;
      counts.duplicatesDropped = dropped;
      counts.quarantined = bad;
      counts.keyConflicts = conflicts[0];
      if (conflicts[0] > 0) {
        progress.info("%s: WARNING %d record keys %s arrived with different content; all versions "
            + "were kept (see README, de-duplication)", table, conflicts[0], format.dedupKey());
      }
      for (RawFile f : files) {
        long[] c = perFile.getOrDefault(f.path, new long[3]);
        if (c[0] == 0 && c[1] > 0) {
          counts.filesQuarantined++;
        } else {
          counts.filesIngested++;
        }
        counts.bytesRead += f.size;
      }
      progress.info("%s: %d records, %d rows written, %d duplicates dropped, %d quarantined",
          table, counts.recordsRead, counts.rowsWritten, counts.duplicatesDropped, counts.quarantined);
      return counts;
    } catch (io.trailkeep.conf.ConfException | IngestException e) {
      throw e;
    } catch (Exception e) {
      // Spark throws SparkException (checked in Java's eyes) without declaring it
      throw new IngestException("ingest into " + table + " failed: " + rootMessage(e)
          + "; nothing after the last committed step was kept, rerun to resume", e);
    } finally {
      for (Dataset<Row> d : release) {
        d.unpersist();
      }
      parsed.unpersist();
      blobs.unpersist(false);
      spark.sparkContext().setJobDescription(null);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    String m = r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
    int nl = m.indexOf('\n');
    return r.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
  }

  /**
   * Reads the per-file summary rows of the parse: fills {@code perFile} with {good records,
   * quarantined items, quarantined records} by file and {@code touched} with the partition values
   * that received records. This job also fills the parse cache.
   */
  private static void summarize(Dataset<Row> parsed, String partitionColumn,
      Map<String, long[]> perFile, List<Object> touched) {
    Set<Object> days = new LinkedHashSet<>();
    for (Row r : parsed.filter(col(KIND).equalTo(FILE))
        .select(col("source_file"), col(partitionColumn), col(F_GOOD), col(F_BAD), col(F_BAD_RECORDS))
        .collectAsList()) {
      long[] c = perFile.computeIfAbsent(r.getString(0), f -> new long[3]);
      c[0] += r.getLong(2);
      c[1] += r.getLong(3);
      c[2] += r.getLong(4);
      if (!r.isNullAt(1) && r.getLong(2) > 0) {
        days.add(r.get(1));
      }
    }
    touched.addAll(days);
  }

  /**
   * (source_file, source_position) of records to drop, or null when there is nothing to drop:
   * rows whose key (and content hash, for hashed formats) equals an earlier row of the batch or a
   * row already in the table. Sets {@code counts} to {rows to drop, keys that collide with
   * different content (kept, reported as conflicts)}. For formats keyed by provenance
   * (source_file, source_position) only the table is checked: a crashed run may have committed
   * rows of files it never manifested.
   *
   * <p>Cost: one aggregation over the key columns alone (the batch's keys plus the table's keys
   * in the partitions the batch touched) finds the keys seen more than once. Usually there are
   * none and that is all; otherwise one more job runs the exact checks on the cached key rows
   * with those keys, and the write's anti-join re-ranks those few rows.
   */
  private Dataset<Row> duplicates(SourceFormat format, String table, boolean created,
      Dataset<Row> keyRows, Collection<String> batchFiles, List<Object> touched, long[] counts,
      List<Dataset<Row>> release) {
    List<String> key = format.dedupKey();
    if (key.isEmpty()) {
      return null;
    }
    String[] keyNames = key.toArray(new String[0]);
    boolean hashed = !format.contentColumns().isEmpty();
    boolean byProvenance = key.equals(PROVENANCE);
    List<String> identity = new ArrayList<>(key);
    if (hashed) {
      identity.add(HASH);
    }
    Column present = lit(true);
    for (String k : key) {
      present = present.and(col(k).isNotNull());
    }
    Dataset<Row> batch = keyRows.filter(present);
    Dataset<Row> existing = null;
    if (!created && !touched.isEmpty()) {
      Dataset<Row> read = lake.read(table)
          .filter(col(format.partitionColumn()).isin(touched.toArray()));
      if (byProvenance) {
        read = read.filter(col("source_file").isin(batchFiles.toArray()));
      }
      // planned now and detached from the Delta relation: cached results built on it are then
      // not re-planned (one Delta scan planning each) by the appends that follow
      read = read.select(names(identity));
      existing = CatalystRows.dataFrame(spark, read.queryExecution().toRdd(), read.schema());
    }
    Dataset<Row> allKeys = batch.select(names(key));
    if (existing != null) {
      allKeys = allKeys.union(existing.select(names(key)));
    }
    Dataset<Row> repeated = allKeys.groupBy(names(key)).count().filter(col("count").gt(1))
        .drop("count").persist(StorageLevel.MEMORY_AND_DISK());
    release.add(repeated);
    if (repeated.count() == 0) {
      return null;
    }
    // exact checks on the rows whose key was seen more than once: the batch's (b=1) and the
    // table's (b=0) rows with such keys, ranked within each identity, table rows first
    Set<String> selected = new LinkedHashSet<>(identity);
    selected.addAll(PROVENANCE);
    Dataset<Row> seen = batch.join(repeated, keyNames, "left_semi")
        .select(names(new ArrayList<>(selected))).withColumn("_b", lit(1));
    if (existing != null) {
      List<Column> tableSide = new ArrayList<>();
      for (String c : selected) {
        tableSide.add(identity.contains(c) ? col(c)
            : lit(null).cast(keyRows.schema().apply(c).dataType()).alias(c));
      }
      seen = seen.union(existing.join(repeated, keyNames, "left_semi")
          .select(tableSide.toArray(new Column[0])).withColumn("_b", lit(0)));
    }
    seen = seen.persist(StorageLevel.MEMORY_AND_DISK());
    release.add(seen);
    // a batch row is dropped when an earlier row (table rows first) has its identity; _new marks
    // identities only this batch holds
    Dataset<Row> ranked = seen
        .withColumn("_rn", row_number().over(Window.partitionBy(names(identity))
            .orderBy(col("_b"), col("source_file"), col("source_position"))))
        .withColumn("_new", min(col("_b")).over(Window.partitionBy(names(identity))));
    Column isDrop = col("_rn").gt(1).and(col("_b").equalTo(1));
    // one job counts both: rows to drop, and keys for which this batch brings content the table
    // does not hold and that now have more than one content (conflicts)
    Column conflict = hashed
        ? when(countDistinct(col(HASH)).gt(1).and(max(col("_new")).equalTo(1)), 1L).otherwise(0L)
        : lit(0L);
    Row totals = ranked.groupBy(names(key))
        .agg(sum(when(isDrop, 1L).otherwise(0L)).alias("_drops"), conflict.alias("_conflict"))
        .agg(sum(col("_drops")), sum(col("_conflict"))).first();
    counts[0] = totals.isNullAt(0) ? 0 : totals.getLong(0);
    counts[1] = totals.isNullAt(1) ? 0 : totals.getLong(1);
    return ranked.filter(isDrop).select("source_file", "source_position");
  }

  /**
   * Keeps the latest version per key (see {@link SourceFormat#latestBy()}) with one MERGE.
   * Returns {rows inserted + rows updated}, read from the commit's metrics.
   */
  private long[] upsert(SourceFormat format, String table, Dataset<Row> records) {
    List<String> key = format.dedupKey();
    String by = format.latestBy();
    Column[] order = {col(by).desc_nulls_last(), col("source_file").desc(),
        col("source_position").desc()};
    Dataset<Row> latest = records
        .withColumn("_rn", row_number().over(Window.partitionBy(names(key)).orderBy(order)))
        .filter(col("_rn").equalTo(1)).drop("_rn");
    Column on = lit(true);
    for (String k : key) {
      on = on.and(col("t." + k).equalTo(col("s." + k)));
    }
    Column sBy = col("s." + by);
    Column tBy = col("t." + by);
    Column laterFile = col("s.source_file").gt(col("t.source_file"))
        .or(col("s.source_file").equalTo(col("t.source_file"))
            .and(col("s.source_position").gt(col("t.source_position"))));
    Column newer = sBy.gt(tBy).or(tBy.isNull().and(sBy.isNotNull()))
        .or(sBy.equalTo(tBy).and(laterFile));
    spark.sparkContext().setJobDescription("merge " + table);
    DeltaTable target = DeltaTable.forPath(spark, lake.pathOf(table));
    target.as("t").merge(latest.as("s"), on)
        .whenMatched(newer).updateAll()
        .whenNotMatched().insertAll()
        .execute();
    Row last = target.history(1).select("operationMetrics").first();
    Map<String, String> metrics = last.getJavaMap(0);
    long inserted = Long.parseLong(metrics.getOrDefault("numTargetRowsInserted", "0"));
    long updated = Long.parseLong(metrics.getOrDefault("numTargetRowsUpdated", "0"));
    return new long[] {inserted + updated};
  }

  private static Column[] names(List<String> names) {
    Column[] out = new Column[names.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = col(names.get(i));
    }
    return out;
  }

  private void writeQuarantine(String source, Dataset<Row> parsed) {
    String table = QuarantineTable.nameFor(source);
    boolean created = lake.ensure(table, QuarantineTable.SCHEMA, null, Map.of());
    Dataset<Row> q = parsed.filter(col(KIND).equalTo(QUARANTINED))
        .select(lit(source).alias("source"), col("source_file"), col("source_position"),
            col(Q_REASON).alias("reason"), col(Q_RAW).alias("raw_text"), col(Q_LEN).alias("raw_length"));
    if (!created) {
      Dataset<Row> existing = lake.read(table).select("source_file", "source_position", "reason");
      q = q.join(existing, new String[] {"source_file", "source_position", "reason"}, "left_anti");
    }
    spark.sparkContext().setJobDescription("write " + table);
    q.write().format("delta").mode("append").save(lake.pathOf(table));
  }

  private static List<Row> manifestRows(SourceFormat format, List<RawFile> files,
      Map<String, long[]> perFile, String runId) {
    List<Row> rows = new ArrayList<>();
    Timestamp now = Timestamp.from(Instant.now());
    for (RawFile f : files) {
      long[] c = perFile.getOrDefault(f.path, new long[3]);
      String status = c[1] == 0 ? "ingested" : c[0] == 0 ? "quarantined" : "partial";
      rows.add(manifestRow(f, format.source(), c[0], c[1], status, runId, now));
    }
    return rows;
  }

  /** One manifest row. */
  public static Row manifestRow(RawFile f, String source, long records, long quarantined,
      String status, String runId, Timestamp now) {
    return RowFactory.create(f.path, source, f.kind.label(), f.accountId, f.region,
        f.deliveryDate == null ? null : Date.valueOf(f.deliveryDate), f.size,
        f.modificationTime > 0 ? new Timestamp(f.modificationTime) : null, records, quarantined,
        status, runId, now);
  }

  /** Appends rows to the manifest, creating it when needed. */
  public static void appendManifest(Lake lake, List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    lake.ensure(ManifestTable.NAME, ManifestTable.SCHEMA, null, Map.of());
    lake.spark().createDataFrame(rows, ManifestTable.SCHEMA).write().format("delta")
        .mode("append").save(lake.pathOf(ManifestTable.NAME));
  }

  /**
   * What the keys pass keeps of each combined row: its kind, the key and partition columns,
   * provenance, the quarantine columns and the per-file counts.
   */
  static StructType narrowSchema(SourceFormat format, StructType combined) {
    Set<String> keep = new LinkedHashSet<>();
    keep.add(KIND);
    keep.addAll(format.dedupKey());
    keep.add(format.partitionColumn());
    keep.addAll(PROVENANCE);
    keep.addAll(List.of(Q_REASON, Q_RAW, Q_LEN, Q_RECORD, F_GOOD, F_BAD, F_BAD_RECORDS));
    List<StructField> f = new ArrayList<>();
    for (String name : keep) {
      f.add(combined.apply(name));
    }
    return DataTypes.createStructType(f);
  }

  static StructType combinedSchema(StructType table) {
    List<StructField> f = new ArrayList<>();
    f.add(DataTypes.createStructField(KIND, DataTypes.StringType, false));
    for (StructField s : table.fields()) {
      f.add(DataTypes.createStructField(s.name(), s.dataType(), true));
    }
    f.add(DataTypes.createStructField(Q_REASON, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(Q_RAW, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(Q_LEN, DataTypes.LongType, true));
    f.add(DataTypes.createStructField(Q_RECORD, DataTypes.BooleanType, true));
    f.add(DataTypes.createStructField(F_GOOD, DataTypes.LongType, true));
    f.add(DataTypes.createStructField(F_BAD, DataTypes.LongType, true));
    f.add(DataTypes.createStructField(F_BAD_RECORDS, DataTypes.LongType, true));
    return DataTypes.createStructType(f);
  }

  /** One raw file as stored (usually gzip), fetched once per ingest and cached. */
  static final class RawBlob implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final RawFile file;
    final byte[] stored;
    /** Why the file could not be fetched (it disappeared), or null. */
    final String missing;
    /** True when the stored object exceeded the size cap and was cut there. */
    final boolean cut;

    RawBlob(RawFile file, byte[] stored, String missing, boolean cut) {
      this.file = file;
      this.stored = stored;
      this.missing = missing;
      this.cut = cut;
    }
  }

  /** Executor side: fetches one raw file's stored bytes, at most the size cap. */
  static final class ReadFile implements org.apache.spark.api.java.function.Function<RawFile, RawBlob> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<SerializableHadoopConf> hconf;
    private final long maxFileBytes;

    ReadFile(Broadcast<SerializableHadoopConf> hconf, long maxFileBytes) {
      this.hconf = hconf;
      this.maxFileBytes = maxFileBytes;
    }

    @Override
    public RawBlob call(RawFile file) {
      Path path = new Path(file.path);
      int cap = (int) Math.min(maxFileBytes, Integer.MAX_VALUE - 16);
      try (java.io.InputStream in = path.getFileSystem(hconf.value().get()).open(path, 1 << 16)) {
        byte[] stored = in.readNBytes(cap);
        boolean cut = stored.length == cap && in.read() >= 0;
        return new RawBlob(file, stored, null, cut);
      } catch (java.io.FileNotFoundException e) {
        return new RawBlob(file, null, e.getMessage(), false);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot read " + file.path + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Executor side: parses the cached raw files of a task into rows in Spark's internal format.
   * With the narrow schema ({@link #narrowSchema}): every record's key columns, the quarantined
   * items and each file's summary rows ({@link #FILE}: counts per partition value, so the driver
   * learns them without a shuffle). With the table's schema: whole record rows only.
   */
  static final class ParseFiles implements FlatMapFunction<Iterator<RawBlob>, InternalRow> {
    private static final long serialVersionUID = 1L;
    private final SourceFormat format;
    private final long maxFileBytes;
    private final int rawChars;
    private final int valueWidth;
    private final int width;
    private final int partitionIndex;
    private final boolean wholeRecords;
    private final int[] keep;
    private final CatalystRows internal;

    ParseFiles(SourceFormat format, long maxFileBytes, int rawChars, StructType combined,
        StructType out) {
      this.format = format;
      this.maxFileBytes = maxFileBytes;
      this.rawChars = rawChars;
      this.valueWidth = format.schema().size() - 2;
      this.width = combined.size();
      this.partitionIndex = format.schema().fieldIndex(format.partitionColumn());
      this.wholeRecords = out.equals(format.schema());
      this.keep = new int[out.size()];
      for (int i = 0; i < keep.length; i++) {
        keep[i] = combined.fieldIndex(out.fields()[i].name());
      }
      this.internal = new CatalystRows(out);
    }

    @Override
    public Iterator<InternalRow> call(Iterator<RawBlob> blobs) {
      RawBytes bytes = new RawBytes();
      return new Iterator<InternalRow>() {
        private Iterator<InternalRow> current = java.util.Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!current.hasNext() && blobs.hasNext()) {
            current = parseOne(blobs.next(), bytes).iterator();
          }
          return current.hasNext();
        }

        @Override
        public InternalRow next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return current.next();
        }
      };
    }

    private InternalRow project(Object[] row) {
      Object[] out = new Object[keep.length];
      for (int i = 0; i < keep.length; i++) {
        out[i] = row[keep[i]];
      }
      return internal.row(out);
    }

    private List<InternalRow> parseOne(RawBlob blob, RawBytes bytes) {
      RawFile file = blob.file;
      List<InternalRow> out = new ArrayList<>();
      Map<Object, long[]> goodByPartition = new LinkedHashMap<>();
      long[] bad = new long[2];
      RecordSink sink = new RecordSink() {
        @Override
        public void record(int position, Object[] values) {
          Object[] row = new Object[width];
          row[0] = RECORD;
          System.arraycopy(values, 0, row, 1, valueWidth);
          row[valueWidth + 1] = file.path;
          row[valueWidth + 2] = position;
          goodByPartition.computeIfAbsent(values[partitionIndex], p -> new long[1])[0]++;
          out.add(project(row));
        }

        @Override
        public void quarantineRecord(int position, String reason, String rawText) {
          add(position, reason, rawText, true);
        }

        @Override
        public void quarantine(int position, String reason, String rawText) {
          add(position, reason, rawText, false);
        }

        private void add(int position, String reason, String rawText, boolean isRecord) {
          bad[0]++;
          if (isRecord) {
            bad[1]++;
          }
          if (wholeRecords) {
            return;
          }
          Object[] row = new Object[width];
          row[0] = QUARANTINED;
          row[valueWidth + 1] = file.path;
          row[valueWidth + 2] = position;
          row[valueWidth + 3] = reason;
          String raw = rawText == null ? null
              : rawText.length() > rawChars ? rawText.substring(0, rawChars) : rawText;
          row[valueWidth + 4] = raw;
          row[valueWidth + 5] = rawText == null ? null : (long) rawText.length();
          row[valueWidth + 6] = isRecord;
          out.add(project(row));
        }
      };
      parse(blob, bytes, sink);
      if (wholeRecords) {
        return out;
      }
      // summary rows: one per partition value with its record count; the first also carries
      // the file's quarantine counts (a file without records gets one with a null partition)
      if (goodByPartition.isEmpty()) {
        goodByPartition.put(null, new long[1]);
      }
      boolean first = true;
      for (Map.Entry<Object, long[]> e : goodByPartition.entrySet()) {
        Object[] row = new Object[width];
        row[0] = FILE;
        row[1 + partitionIndex] = e.getKey();
        row[valueWidth + 1] = file.path;
        row[valueWidth + 7] = e.getValue()[0];
        row[valueWidth + 8] = first ? bad[0] : 0L;
        row[valueWidth + 9] = first ? bad[1] : 0L;
        first = false;
        out.add(project(row));
      }
      return out;
    }

    private void parse(RawBlob blob, RawBytes bytes, RecordSink sink) {
      if (blob.missing != null) {
        sink.quarantine(-1, "file disappeared before it could be read: " + blob.missing, null);
        return;
      }
      try {
        bytes.read(new java.io.ByteArrayInputStream(blob.stored), new Path(blob.file.path).getName(),
            maxFileBytes);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot decode " + blob.file.path, e);
      }
      if (blob.cut) {
        bytes.markTruncatedBySize(maxFileBytes);
      }
      String error = bytes.error();
      boolean parseable = error == null || (!error.startsWith("not in gzip") && bytes.length() > 0);
      if (parseable) {
        format.parse(blob.file, bytes.buffer(), bytes.length(), sink);
      }
      if (error != null) {
        sink.quarantine(-1, error, new String(bytes.buffer(), 0, Math.min(bytes.length(), rawChars),
            java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      bytes.trim();
    }
  }
}
