package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.QuarantineTable;
import io.trailkeep.spark.SessionSettings;
import java.util.Collection;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Writes a batch's quarantined items to {@code <source>_quarantine}, skipping items already there
 * (same file, position and reason), so a rerun after a crash adds nothing. After a retry of
 * quarantined files it removes the items that no longer reproduce: they have landed in the table.
 *
 * <p>Cost: one append; the anti-join reads three columns of the quarantine table.
 */
final class QuarantineWriter {
  private static final String[] ITEM = {"source_file", "source_position", "reason"};

  private QuarantineWriter() {}

  /** Appends the quarantine rows of {@code parsed} (the keys pass); returns the rows written. */
  static void write(Lake lake, String source, Dataset<Row> parsed, String runId, String marker) {
    String table = QuarantineTable.nameFor(source);
    boolean created = lake.ensure(table, QuarantineTable.SCHEMA, null, Map.of());
    Dataset<Row> q = items(parsed, source, runId);
    if (!created) {
      Dataset<Row> existing = lake.read(table).select(ITEM[0], ITEM[1], ITEM[2]);
      q = q.join(existing, ITEM, "left_anti");
    }
    q.write().format("delta").mode("append").option("mergeSchema", "true")
        .option("userMetadata", marker).save(lake.pathOf(table));
  }

  private static Dataset<Row> items(Dataset<Row> parsed, String source, String runId) {
    return parsed.filter(col(ParsedRows.KIND).equalTo(ParsedRows.QUARANTINED))
        .select(lit(source).alias("source"), col(ParsedRows.SOURCE_FILE),
            col(ParsedRows.SOURCE_POSITION), col(ParsedRows.Q_REASON).alias("reason"),
            col(ParsedRows.Q_RAW).alias("raw_text"), col(ParsedRows.Q_LENGTH).alias("raw_length"),
            col(ParsedRows.Q_OFFSET).alias("byte_offset"), col(ParsedRows.Q_BYTES).alias("byte_length"),
            lit(runId).alias("run_id"));
  }

  /**
   * After re-parsing {@code retried} files: deletes their quarantine rows that this parse did not
   * produce again. Returns how many were resolved.
   */
  static long resolve(Lake lake, String source, Collection<String> retried, Dataset<Row> parsed,
      String marker, SessionSettings settings) {
    String table = QuarantineTable.nameFor(source);
    if (retried.isEmpty() || !lake.exists(table)) {
      return 0;
    }
    Dataset<Row> still = parsed.filter(col(ParsedRows.KIND).equalTo(ParsedRows.QUARANTINED))
        .select(col(ParsedRows.SOURCE_FILE), col(ParsedRows.SOURCE_POSITION),
            col(ParsedRows.Q_REASON).alias("reason"));
    Dataset<Row> resolved = lake.read(table).filter(col("source_file").isin(retried.toArray()))
        .select(ITEM[0], ITEM[1], ITEM[2]).join(still, ITEM, "left_anti").distinct();
    long n = resolved.count();
    if (n == 0) {
      return 0;
    }
    settings.set(Lake.COMMIT_MARKER_CONF, marker);
    DeltaTable.forPath(lake.spark(), lake.pathOf(table)).as("t")
        .merge(resolved.as("s"), col("t.source_file").equalTo(col("s.source_file"))
            .and(col("t.source_position").equalTo(col("s.source_position")))
            .and(col("t.reason").equalTo(col("s.reason"))))
        .whenMatched().delete()
        .execute();
    return n;
  }
}
