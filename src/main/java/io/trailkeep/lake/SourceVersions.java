package io.trailkeep.lake;

import static org.apache.spark.sql.functions.col;

import io.trailkeep.schema.DetectTables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A consuming job's read position in its source tables: per source table, the Delta version the
 * job has processed up to, kept as appended rows ({@code table_name, version, run_id,
 * processed_at}) in a state table of the job's own ({@code detect_state}, {@code entity_state}).
 * With {@link MaintenanceState#dataChangedPartitions} it gives the days that changed since. Cost:
 * one small Delta read, or one small append.
 */
public final class SourceVersions {
  private SourceVersions() {}

  /** The version of {@code table} that the job keeping {@code stateTable} last recorded. */
  public static Optional<Long> last(Lake lake, String stateTable, String table) {
    if (!lake.exists(stateTable)) {
      return Optional.empty();
    }
    List<Row> rows = lake.read(stateTable).filter(col("table_name").equalTo(table))
        .orderBy(col("processed_at").desc(), col("version").desc()).limit(1).collectAsList();
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0).getLong(1));
  }

  /** Appends one row per source table: processed up to that version by {@code runId}. */
  public static void record(Lake lake, String stateTable, Map<String, Long> versions, String runId) {
    if (versions.isEmpty()) {
      return;
    }
    lake.ensure(stateTable, DetectTables.STATE_SCHEMA, null, Map.of());
    List<Row> rows = new ArrayList<>();
    Timestamp now = Timestamp.from(Instant.now());
    for (Map.Entry<String, Long> v : versions.entrySet()) {
      rows.add(RowFactory.create(v.getKey(), v.getValue(), runId, now));
    }
    lake.spark().createDataFrame(rows, DetectTables.STATE_SCHEMA).write().format("delta")
        .mode("append").save(lake.pathOf(stateTable));
  }
}
