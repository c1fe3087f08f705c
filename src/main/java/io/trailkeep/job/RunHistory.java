package io.trailkeep.job;

import io.trailkeep.lake.Lake;
import io.trailkeep.schema.RunHistoryTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Appends one row per job run to the lake's {@code run_history} table. One small Delta commit. */
public final class RunHistory {
  private RunHistory() {}

  public static void record(Lake lake, String runId, String job, Instant started, String status,
      Map<String, String> options, JobResult result) {
    lake.ensure(RunHistoryTable.NAME, RunHistoryTable.SCHEMA, null, Map.of());
    Row row = RowFactory.create(runId, job, Timestamp.from(started), Timestamp.from(Instant.now()),
        status, Json.write(options), result == null ? null : Json.write(result.toMap()),
        lake.spark().version());
    lake.spark().createDataFrame(List.of(row), RunHistoryTable.SCHEMA)
        .write().format("delta").mode("append").save(lake.pathOf(RunHistoryTable.NAME));
  }

  /** A new run id: UTC start time plus a random suffix, sortable. */
  public static String newRunId(Instant started) {
    String t = started.toString().replaceAll("[-:]", "").replaceAll("\\.\\d+", "");
    return t + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 6);
  }
}
