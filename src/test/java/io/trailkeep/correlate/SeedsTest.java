package io.trailkeep.correlate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trailkeep.schema.AlertsTable;
import io.trailkeep.testing.TestSpark;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** Which alerts seed correlation. */
class SeedsTest {
  private static Row alert(String id, String suppressedBy) {
    Timestamp t = Timestamp.valueOf("2026-05-10 10:00:00");
    return RowFactory.create(id, "root-account-usage", 1, "shipped", "high", "Root used", List.of("TA0004"),
        List.of("T1078.004"), t, t, "111122223333", "us-east-1", "arn:aws:iam::111122223333:root", null,
        "198.51.100.7", null, List.of("e-" + id), List.of(), 1L, "run", t, suppressedBy, Date.valueOf("2026-05-10"));
  }

  @Test
  void anAlertAnExceptionSuppressesSeedsNothing() {
    Dataset<Row> alerts = TestSpark.get().createDataFrame(List.of(alert("a1", null), alert("a2", "break-glass-drill")),
        AlertsTable.SCHEMA);
    List<String> ids = new ArrayList<>();
    Seeds.alertSeeds(alerts).forEach(s -> ids.add(s.kind() + ":" + s.ref()));
    assertEquals(List.of("alert:a1"), ids);
    // a lake from before exceptions (no suppressed_by column): every alert seeds
    List<String> old = new ArrayList<>();
    Seeds.alertSeeds(alerts.drop("suppressed_by")).forEach(s -> old.add(s.kind() + ":" + s.ref()));
    assertEquals(List.of("alert:a1", "alert:a2"), old);
  }
}
