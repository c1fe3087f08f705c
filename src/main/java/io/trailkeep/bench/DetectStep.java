package io.trailkeep.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import io.trailkeep.detect.DetectJob;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.DetectTables;
import io.trailkeep.storage.LocalFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Bench step {@code detect}: every shipped rule over all days of the maintained lake ({@link SharedLake}; a backfill
 * from an empty alerts table each repeat: baselines, the tagging pass, thresholds, sequences,
 * query rules, the MERGE), against one plain full scan of the same rows in the same run (every
 * column of every row hashed and summed). The goal is at most 3 times the scan.
 */
final class DetectStep {
  private DetectStep() {}

  static Map<String, Object> run(SharedLake shared, int days, int repeats, Progress progress)
      throws IOException {
    Lake lake = shared.get();
    Dataset<Row> rows = lake.read(CloudTrailTable.NAME);
    Row range = rows.agg(org.apache.spark.sql.functions.min("event_date"),
        org.apache.spark.sql.functions.max("event_date")).first();
    LocalDate first = range.getDate(0).toLocalDate();
    LocalDate last = range.getDate(1).toLocalDate();
    AtomicReference<DetectJob.Result> result = new AtomicReference<>();
    double detect = Timing.best(repeats, () -> {
      for (String t : new String[] {AlertsTable.NAME, DetectTables.BASELINE, DetectTables.FIRST_SEEN,
          DetectTables.STATE}) {
        LocalFiles.deleteTree(Path.of(lake.pathOf(t)));
      }
      result.set(DetectJob.on(lake).days(first, last).execute());
    });
    Column[] all = Arrays.stream(CloudTrailTable.SCHEMA.fieldNames()).map(c -> col(c)).toArray(Column[]::new);
    AtomicReference<Long> scanned = new AtomicReference<>();
    double scan = Timing.best(repeats, () -> {
      Row r = lake.read(CloudTrailTable.NAME)
          .filter(col("event_date").between(lit(Date.valueOf(first)), lit(Date.valueOf(last))))
          .agg(count(lit(1)), sum(xxhash64(all))).first();
      scanned.set(r.getLong(0));
    });
    DetectJob.Result r = result.get();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rows", scanned.get());
    m.put("days", days);
    m.put("rules_run", r.rulesRun());
    m.put("rules_skipped", r.rulesSkipped());
    m.put("rules_failed", r.rulesFailed());
    m.put("alerts", r.alertsNew());
    m.put("events_scanned", r.eventsScanned());
    m.put("detect_seconds", detect);
    m.put("plain_scan_seconds", scan);
    m.put("detect_vs_plain_scan", detect / scan);
    m.put("detect_phase_seconds_last_repeat", r.phaseSeconds());
    progress.info("bench: detect %s", m);
    return m;
  }
}
