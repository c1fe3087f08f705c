package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.trailkeep.conf.Severity;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The order of the incident queue an analyst works, defined once: most severe first, then the
 * incident with more alerts and findings, then more events, then the latest, then by id (so the
 * order is total and the same on every run). {@code evaluate} measures this queue.
 *
 * <p>Cost: one sort of the incidents table (an incident per row: thousands, not events). No side
 * effects.
 */
public final class IncidentQueue {
  private IncidentQueue() {}

  /** The severity's position as a column: unknown or null lowest. */
  static Column severityRank(Column severity) {
    Column rank = lit(-1);
    for (String label : Severity.labels()) {
      rank = when(severity.equalTo(lit(label)), lit(Severity.rank(label))).otherwise(rank);
    }
    return rank;
  }

  /** The queue's sort order, first key first. */
  public static Column[] order() {
    return new Column[] {severityRank(col("severity")).desc(),
        col("alert_count").plus(col("finding_count")).desc(), col("event_count").desc(),
        col("last_time").desc(), col("incident_id").asc()};
  }

  /**
   * {@code incidents} in queue order; the first row is rank 1. (Ranks are positions counted by
   * the reader: a window over the whole table would move it into one partition, with a warning.)
   */
  public static Dataset<Row> sorted(Dataset<Row> incidents) {
    return incidents.orderBy(order());
  }

  /** The incidents at or above {@code minSeverity}: what {@code triage} lists. */
  public static Dataset<Row> atLeast(Dataset<Row> incidents, String minSeverity) {
    return incidents.filter(severityRank(col("severity")).geq(lit(Severity.rank(minSeverity))));
  }
}
