package io.trailkeep.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The incident queue's order as the README states it, written again for tests (not TrailKeep's
 * code): most severe first, then more alerts and findings, more events, the latest, the id.
 */
public final class QueueOrder {
  private QueueOrder() {}

  private static final List<String> SEVERITIES = List.of("info", "low", "medium", "high", "critical");

  /** The incident ids of {@code incidents} in queue order. */
  public static List<String> ids(Dataset<Row> incidents) {
    List<Row> rows = new ArrayList<>(incidents.select("incident_id", "severity", "alert_count", "finding_count",
        "event_count", "last_time").collectAsList());
    rows.sort(Comparator.<Row>comparingInt(q -> -SEVERITIES.indexOf(q.getString(1)))
        .thenComparingLong(q -> -(q.getLong(2) + q.getLong(3))).thenComparingLong(q -> -q.getLong(4))
        .thenComparing((Row q) -> q.getTimestamp(5), Comparator.reverseOrder())
        .thenComparing(q -> q.getString(0)));
    return rows.stream().map(r -> r.getString(0)).toList();
  }
}
