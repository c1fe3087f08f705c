package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.delta.tables.DeltaTable;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.SessionSettings;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Keeps the latest version per key for sources re-delivered as they change (GuardDuty findings,
 * see {@link SourceFormat#latestBy()}): the batch is reduced to its latest version per key, then
 * one Delta MERGE inserts new keys and replaces older versions; an older or repeated export changes
 * nothing, so a rerun is idempotent. The counts come from the metrics of the commit this MERGE
 * made, found by the marker it carries ({@link Lake#commitMetrics}), never from another writer's.
 *
 * <p>Cost: one shuffle of the batch by key, one MERGE (reads the touched target files).
 */
final class LatestVersionMerge {
  private LatestVersionMerge() {}

  /** Rows the MERGE inserted and updated. */
  record Merged(long inserted, long updated) {
    long written() {
      return inserted + updated;
    }
  }

  static Merged upsert(Lake lake, SourceFormat format, String table, Dataset<Row> records,
      SessionSettings settings, String marker) {
    List<String> key = format.dedupKey();
    String by = format.latestBy();
    Column[] order = {col(by).desc_nulls_last(), col(ParsedRows.SOURCE_FILE).desc(),
        col(ParsedRows.SOURCE_POSITION).desc()};
    Dataset<Row> latest = records
        .withColumn("_rn", row_number().over(Window.partitionBy(Deduplicate.names(key)).orderBy(order)))
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
    settings.set(Lake.COMMIT_MARKER_CONF, marker);
    DeltaTable.forPath(lake.spark(), lake.pathOf(table)).as("t").merge(latest.as("s"), on)
        .whenMatched(newer).updateAll()
        .whenNotMatched().insertAll()
        .execute();
    Map<String, String> metrics = lake.commitMetrics(table, marker);
    return new Merged(Long.parseLong(metrics.getOrDefault("numTargetRowsInserted", "0")),
        Long.parseLong(metrics.getOrDefault("numTargetRowsUpdated", "0")));
  }
}
