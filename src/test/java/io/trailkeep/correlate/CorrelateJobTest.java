package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.detect.DetectFixtures;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.MaintenanceState;
import io.trailkeep.pipeline.IncidentCheck;
import io.trailkeep.schema.IncidentTables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code correlate} on the lake every scenario of the catalog was generated into, ingested and
 * detected ({@link DetectFixtures}): each attack lands in exactly one incident of its own, with all
 * its events; the benign look-alike raises no high incident; a rerun changes nothing; and the
 * leaked-key incident's timeline matches its golden file (regenerate with
 * {@code -Dtrailkeep.regenerate=true}).
 */
class CorrelateJobTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/leaked-access-key-timeline.csv");
  private static Lake lake;
  private static CorrelateJob.Result first;
  private static List<IncidentCheck.Outcome> outcomes;

  @BeforeAll
  static void correlate() {
    lake = DetectFixtures.lake();
    first = CorrelateJob.on(lake).execute();
    outcomes = IncidentCheck.check(lake, DetectFixtures.raw().toString());
  }

  @Test
  void eachAttackIsOneIncidentHoldingAllItsEvents() {
    assertEquals(10, outcomes.size(), "every scenario's ground truth was checked");
    Map<String, String> owner = new HashMap<>();
    for (IncidentCheck.Outcome o : outcomes) {
      if (o.benign()) {
        assertTrue(o.incident() == null || IncidentGraph.rank(o.severity()) < IncidentGraph.rank("high"),
            "the benign look-alike raised a high incident: " + o);
        continue;
      }
      assertEquals(1, o.incidents().size(), o.scenario() + " is spread over incidents: " + o);
      assertEquals(1.0, o.recall(), o.scenario() + ": every event of the attack is in its incident");
      // the incident holds the attacker's events, not the routine work of a session it stole
      assertTrue(o.precision() >= 0.9, o.toString());
      String previous = owner.put(o.incident(), o.scenario());
      assertEquals(null, previous, o.scenario() + " shares its incident with " + previous);
    }
    assertTrue(first.incidents() >= 9, first.toString());
  }

  @Test
  void aRerunChangesNothing() {
    long incidentsVersion = MaintenanceState.currentVersion(lake, IncidentTables.INCIDENTS);
    long timelineVersion = MaintenanceState.currentVersion(lake, IncidentTables.TIMELINE);
    CorrelateJob.Result again = CorrelateJob.on(lake).execute();
    assertTrue(again.unchanged(), again.toString());
    assertEquals(0, again.incidentsNew());
    assertEquals(0, again.incidentsChanged());
    assertEquals(first.incidents(), again.incidents());
    assertEquals(incidentsVersion, MaintenanceState.currentVersion(lake, IncidentTables.INCIDENTS));
    assertEquals(timelineVersion, MaintenanceState.currentVersion(lake, IncidentTables.TIMELINE));
  }

  @Test
  void theLeakedKeyIncidentJoinsAllSourcesAndMatchesItsGoldenTimeline() throws IOException {
    IncidentCheck.Outcome leaked = outcomes.stream().filter(o -> o.scenario().equals("leaked-access-key"))
        .findFirst().orElseThrow();
    assertNotNull(leaked.incident());
    Dataset<Row> rows = lake.read(IncidentTables.TIMELINE).filter(col("incident_id").equalTo(lit(leaked.incident())))
        .drop("incident_id").orderBy(Timeline.order());
    List<Row> all = rows.collectAsList();
    Set<String> sources = new TreeSet<>();
    all.forEach(r -> sources.add(r.getAs("source")));
    assertEquals(Set.of("alert", "cloudtrail", "guardduty", "vpc_flow"), sources);
    StringBuilder csv = new StringBuilder(TimelineFiles.csvLine(List.of(rows.columns())));
    for (Row r : all) {
      List<String> cells = new ArrayList<>();
      TimelineFiles.map(rows.schema(), r).values().forEach(v -> cells.add(v == null ? "" : String.valueOf(v)));
      csv.append(TimelineFiles.csvLine(cells));
    }
    if (io.trailkeep.testing.Golden.regenerate()) {
      Files.createDirectories(GOLDEN.getParent());
      Files.writeString(GOLDEN, csv.toString(), StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(GOLDEN), GOLDEN + " is missing (write it with -Dtrailkeep.regenerate=true)");
    assertEquals(Files.readString(GOLDEN, StandardCharsets.UTF_8), csv.toString(),
        "timeline differs from " + GOLDEN + " (regenerate with -Dtrailkeep.regenerate=true)");
  }
}
