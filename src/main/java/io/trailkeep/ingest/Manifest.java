package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.trailkeep.lake.Lake;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.storage.RawFile;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;

/**
 * The ingest manifest ({@link ManifestTable}): what each run did with each raw object, and the
 * state of each path (its latest row). Written once per run, after every data commit of the run,
 * so a crash before it leaves the run's files to be read again.
 */
final class Manifest {
  private Manifest() {}

  /** What a run did with one raw object. */
  record Entry(RawFile file, String source, long records, long quarantined, String status,
      String error) {}

  /** Appends the run's entries in one commit, creating the table when needed. */
  static void append(Lake lake, List<Entry> entries, String runId, String marker) {
    if (entries.isEmpty()) {
      return;
    }
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      RawFile f = e.file();
      rows.add(RowFactory.create(f.path, e.source(), f.kind.label(), f.accountId, f.region,
          f.deliveryDate == null ? null : Date.valueOf(f.deliveryDate), f.size,
          f.modificationTime > 0 ? new Timestamp(f.modificationTime) : null, e.records(),
          e.quarantined(), e.status(), runId, now, e.error(), null, null, null));
    }
    lake.ensure(ManifestTable.NAME, ManifestTable.SCHEMA, null, Map.of());
    lake.spark().createDataFrame(rows, ManifestTable.SCHEMA).write().format("delta")
        .mode("append").option("mergeSchema", "true").option("userMetadata", marker)
        .save(lake.pathOf(ManifestTable.NAME));
  }

  /** The latest row of every path (its state), or null when there is no manifest yet. */
  static Dataset<Row> latest(Lake lake) {
    if (!lake.exists(ManifestTable.NAME)) {
      return null;
    }
    Dataset<Row> m = lake.read(ManifestTable.NAME);
    if (!Arrays.asList(m.columns()).contains("error")) {
      m = m.withColumn("error", lit(null).cast("string"));
    }
    return m.withColumn("_rn", row_number().over(Window.partitionBy("path")
            .orderBy(col("ingested_at").desc(), col("run_id").desc())))
        .filter(col("_rn").equalTo(1)).drop("_rn");
  }

  /** Paths whose state is done (any status but {@code failed}). */
  static Dataset<Row> donePaths(Lake lake) {
    Dataset<Row> latest = latest(lake);
    return latest == null ? null
        : latest.filter(col("status").isin(ManifestTable.NOT_DONE.toArray()).unary_$bang())
            .select("path");
  }

  /** Files whose state is one of {@code statuses}, delivered within [from, to] (nulls: open). */
  static List<RawFile> withStatus(Lake lake, List<String> statuses, LocalDate from, LocalDate to) {
    Dataset<Row> latest = latest(lake);
    List<RawFile> out = new ArrayList<>();
    if (latest == null) {
      return out;
    }
    Column c = col("status").isin(statuses.toArray());
    if (from != null) {
      c = c.and(col("delivery_date").geq(lit(Date.valueOf(from))));
    }
    if (to != null) {
      c = c.and(col("delivery_date").leq(lit(Date.valueOf(to))));
    }
    for (Row r : latest.filter(c).select("path", "size", "modification_time").orderBy("path")
        .collectAsList()) {
      out.add(RawFile.classify(r.getString(0), r.getLong(1),
          r.isNullAt(2) ? 0 : r.getTimestamp(2).getTime()));
    }
    return out;
  }
}
