package io.trailkeep.job;

import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.RunHistoryTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Appends one row per job run to the lake's {@code run_history} table: one small Delta commit.
 * Tables created by older versions gain the error columns on their first new row (schema merge on
 * this append only).
 */
public final class RunHistory {
  private RunHistory() {}

  /** One run as recorded. */
  public record Entry(String runId, String job, Instant started, Instant finished, String status,
      Map<String, Object> options, Map<String, Object> result, String errorClass,
      String errorMessage) {}

  public static void record(Lake lake, Entry e) {
    lake.ensure(RunHistoryTable.NAME, RunHistoryTable.SCHEMA, null, Map.of());
    Row row = RowFactory.create(e.runId(), e.job(), Timestamp.from(e.started()),
        Timestamp.from(e.finished()), e.status(), Json.write(e.options()),
        e.result() == null ? null : Json.write(e.result()), lake.spark().version(), e.errorClass(),
        e.errorMessage(), lake.spark().sparkContext().applicationId());
    lake.spark().createDataFrame(List.of(row), RunHistoryTable.SCHEMA)
        .write().format("delta").mode("append").option("mergeSchema", "true")
        .save(lake.pathOf(RunHistoryTable.NAME));
  }

  /** A new run id: a random UUID (122 random bits); runs are ordered by {@code started_at}. */
  public static String newRunId() {
    return UUID.randomUUID().toString();
  }
}
