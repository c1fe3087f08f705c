package io.trailkeep.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.schema.Source;
import io.trailkeep.correlate.IncidentGraph;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.IncidentTables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Compares the {@code incidents} with the generator's ground truth: for each scenario, the
 * incidents that hold its CloudTrail events, the one holding most of them (its incident), the
 * recall (its events in that incident / its events) and the precision (its events in that
 * incident / the CloudTrail events of that incident). Cost: one aggregation over the timeline's
 * CloudTrail rows per scenario. No side effects.
 */
public final class IncidentCheck {
  private IncidentCheck() {}

  /** One scenario's outcome; {@code incident} is null when none holds its events. */
  public record Outcome(String scenario, boolean benign, long events, List<String> incidents,
      String incident, String severity, double recall, double precision) {}

  /** Every scenario of {@code raw} against the lake's incidents (empty without either). */
  public static List<Outcome> check(Lake lake, String raw) {
    List<Outcome> out = new ArrayList<>();
    Map<String, JsonNode> truths = ScenarioCheck.groundTruth(lake, raw);
    if (truths.isEmpty() || !lake.exists(IncidentTables.TIMELINE)) {
      return out;
    }
    Dataset<Row> events = lake.read(IncidentTables.TIMELINE).filter(col("source").equalTo(Source.CLOUDTRAIL.label()));
    Map<String, Row> incidents = new LinkedHashMap<>();
    for (Row r : lake.read(IncidentTables.INCIDENTS).select("incident_id", "severity", "event_count")
        .collectAsList()) {
      incidents.put(r.getString(0), r);
    }
    for (Map.Entry<String, JsonNode> t : truths.entrySet()) {
      Set<String> ids = new TreeSet<>();
      t.getValue().path("event_ids").forEach(n -> ids.add(n.asText()));
      List<String> holding = new ArrayList<>();
      String best = null;
      long bestHits = 0;
      for (Row r : events.filter(col("ref").isin(ids.toArray())).groupBy("incident_id")
          .agg(count(lit(1))).orderBy(col("count(1)").desc(), col("incident_id")).collectAsList()) {
        holding.add(r.getString(0));
        if (best == null) {
          best = r.getString(0);
          bestHits = r.getLong(1);
        }
      }
      String severity = null;
      for (String id : holding) {
        String s = incidents.get(id).getString(1);
        severity = IncidentGraph.rank(s) > IncidentGraph.rank(severity) ? s : severity;
      }
      long inBest = best == null ? 0 : incidents.get(best).getLong(2);
      out.add(new Outcome(t.getKey(), t.getValue().path("benign").asBoolean(false), ids.size(),
          List.copyOf(new TreeSet<>(holding)), best, severity,
          ids.isEmpty() ? 1.0 : (double) bestHits / ids.size(), inBest == 0 ? 0.0 : (double) bestHits / inBest));
    }
    return out;
  }

  /** Event-weighted recall and precision over the attack scenarios (benign ones excluded). */
  public static Map<String, Double> overall(List<Outcome> outcomes) {
    double hits = 0;
    double events = 0;
    double assigned = 0;
    for (Outcome o : outcomes) {
      if (o.benign()) {
        continue;
      }
      double h = o.recall() * o.events();
      hits += h;
      events += o.events();
      assigned += o.precision() == 0 ? 0 : h / o.precision();
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("recall", events == 0 ? 1.0 : hits / events);
    m.put("precision", assigned == 0 ? 0.0 : hits / assigned);
    return m;
  }
}
