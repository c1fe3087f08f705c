package io.trailkeep.cli;

import static org.apache.spark.sql.functions.arrays_overlap;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.IncidentTables;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * {@code evaluate} end to end on a small organization over its default 8 days (the README's
 * figures come from the default two million events): every scenario at once on the eighth day,
 * after the learning period, several overlapping in one account; the goals met; the per-scenario
 * scores equal to ones recomputed here from the ground-truth files and the incident tables; every
 * rule a scenario expects once the baselines know its principals raised an alert listing its
 * events (found here from the alerts table); a second run reuses the data set and scores the same.
 */
class EvaluateCommandTest {

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void concurrentScenariosAreEachOneIncidentAndTheScoresMatchTheTables() throws IOException {
    Path dir = TestSpark.tempDir("evaluate");
    // the default span: 8 days
    String[] args = {"evaluate", "--events", "4000", "--flow-ratio", "0.2", "--dir", dir.toString(), "--json"};
    CliTest.Run first = CliTest.run(args);
    JsonNode r = Json.parse(first.lastLine());
    JsonNode goals = r.get("goals");
    // the goals correlation meets today; the queue's (issue 28) are measured, and evaluate exits 1
    // while one of them is missed
    for (String goal : List.of("each_scenario_one_incident", "recall", "precision", "benign_no_high_incident",
        "expected_rules")) {
      assertTrue(goals.get(goal).asBoolean(), goal + ": " + r);
    }
    boolean met = true;
    for (String goal : List.of("each_scenario_one_incident", "recall", "precision", "benign_no_high_incident",
        "expected_rules", "false_high_per_attack", "precision_at_k", "benign_below_attacks")) {
      met &= goals.get(goal).asBoolean();
    }
    assertEquals(met, goals.get("met").asBoolean(), goals.toString());
    assertEquals(met ? 0 : 1, first.code, first.out + first.err);
    assertTrue(first.out.contains(met ? "goals met" : "goals MISSED"), first.out);
    assertFalse(r.get("data_cached").asBoolean());
    assertEquals(9, r.get("attack_scenarios").asInt(), r.toString());
    assertEquals(9, r.get("scenarios").size());
    assertTrue(r.get("incidents").asLong() >= 9, r.toString());
    assertTrue(r.get("goals").get("expected_rules").asBoolean(), r.toString());
    for (JsonNode s : r.get("scenarios")) {
      assertEquals(0, s.get("missing_rules").size(), s.toString());
    }

    // the layout: at least six attacks overlap one moment, and two in one account overlap
    Path raw = Path.of(r.get("raw").asText());
    Map<String, JsonNode> truths = new TreeMap<>();
    try (Stream<Path> files = Files.list(raw.resolve("ground-truth"))) {
      for (Path f : files.toList()) {
        truths.put(f.getFileName().toString().replace(".json", ""), Json.parse(Files.readString(f)));
      }
    }
    List<JsonNode> attacks = truths.values().stream().filter(t -> !t.get("benign").asBoolean()).toList();
    int mostAtOnce = 0;
    boolean sameAccountOverlap = false;
    for (JsonNode a : attacks) {
      // the attacks under way when this one starts
      Instant t = Instant.parse(a.get("start").asText());
      int running = 0;
      for (JsonNode b : attacks) {
        if (!Instant.parse(b.get("start").asText()).isAfter(t) && !Instant.parse(b.get("end").asText()).isBefore(t)) {
          running++;
          sameAccountOverlap |= a != b && a.get("account_id").equals(b.get("account_id"));
        }
      }
      mostAtOnce = Math.max(mostAtOnce, running);
    }
    assertTrue(mostAtOnce >= 6, "scenarios overlapping the busiest one: " + mostAtOnce);
    assertTrue(sameAccountOverlap, "two scenarios of one account overlap");
    Lake lake = new Lake(TestSpark.get(), r.get("lake").asText());

    // after the learning period: the first seven days are background alone, and each rule a
    // scenario expects from the learned baselines raised an alert that lists its events
    LocalDate firstDay = lake.read(CloudTrailTable.NAME).agg(min("event_date")).first().getDate(0).toLocalDate();
    int learned = 0;
    for (JsonNode a : attacks) {
      LocalDate day = LocalDate.parse(a.get("start").asText().substring(0, 10));
      assertTrue(!day.isBefore(firstDay.plusDays(7)), a.get("scenario") + " starts after 7 days of background: " + day);
      Column its = arrays_overlap(col("event_ids"), lit(texts(a.get("event_ids")).toArray(new String[0])));
      for (JsonNode rule : a.get("expected_rules_after_learning")) {
        assertTrue(lake.read(AlertsTable.NAME).filter(col("rule_id").equalTo(rule.asText()).and(its)).count() > 0,
            a.get("scenario") + ": no " + rule.asText() + " alert lists its events");
        learned++;
      }
    }
    assertTrue(learned >= 15, "the catalog expects unusual-activity rules: " + learned);

    // each scenario's score, recomputed from the tables: the incidents holding its events, the
    // one holding most, its share of the scenario's events and the scenario's share of its events
    Map<String, Long> incidentEvents = new HashMap<>();
    for (Row row : lake.read(IncidentTables.INCIDENTS).select("incident_id", "event_count").collectAsList()) {
      incidentEvents.put(row.getString(0), row.getLong(1));
    }
    Map<String, Set<String>> eventIncidents = new HashMap<>();
    for (Row row : lake.read(IncidentTables.TIMELINE).filter(col("source").equalTo("cloudtrail"))
        .select("ref", "incident_id").collectAsList()) {
      eventIncidents.computeIfAbsent(row.getString(0), k -> new HashSet<>()).add(row.getString(1));
    }
    Set<String> owners = new HashSet<>();
    for (JsonNode s : r.get("scenarios")) {
      JsonNode truth = truths.get(s.get("name").asText());
      List<String> ids = new ArrayList<>();
      truth.get("event_ids").forEach(n -> ids.add(n.asText()));
      Map<String, Integer> hits = new HashMap<>();
      for (String id : ids) {
        for (String inc : eventIncidents.getOrDefault(id, Set.of())) {
          hits.merge(inc, 1, Integer::sum);
        }
      }
      String best = hits.keySet().stream().max((a, b) -> hits.get(a) - hits.get(b) != 0
          ? hits.get(a) - hits.get(b) : b.compareTo(a)).orElseThrow();
      assertEquals(hits.size(), s.get("incidents").asInt(), s.toString());
      assertEquals(best, s.get("incident").asText(), s.toString());
      assertEquals((double) hits.get(best) / ids.size(), s.get("recall").asDouble(), 1e-9, s.toString());
      assertEquals((double) hits.get(best) / incidentEvents.get(best), s.get("precision").asDouble(), 1e-9,
          s.toString());
      assertEquals(1, hits.size(), s.get("name") + " is spread over incidents: " + hits);
      assertTrue(owners.add(best), s.get("name") + " shares its incident");
      assertTrue(s.get("precision").asDouble() >= 0.9 && s.get("recall").asDouble() >= 0.95, s.toString());
    }
    JsonNode benign = r.get("benign");
    assertEquals(1, benign.size());

    // the queue, recomputed from the tables and the ground truth: the order an analyst reads
    // (most severe, then most alerts and findings, most events, latest, id), the high or critical
    // incidents that hold no attack event, the top k (k = attacks) that hold one, the look-alike's rank
    List<String> severities = List.of("info", "low", "medium", "high", "critical");
    List<String> order = io.trailkeep.testing.QueueOrder.ids(lake.read(IncidentTables.INCIDENTS));
    Map<String, String> severityOf = new HashMap<>();
    for (Row q : lake.read(IncidentTables.INCIDENTS).select("incident_id", "severity").collectAsList()) {
      severityOf.put(q.getString(0), q.getString(1));
    }
    Set<String> holdingAttacks = new HashSet<>();
    Set<String> holdingBenign = new HashSet<>();
    for (Map.Entry<String, JsonNode> t : truths.entrySet()) {
      for (JsonNode id : t.getValue().get("event_ids")) {
        (t.getValue().path("benign").asBoolean(false) ? holdingBenign : holdingAttacks)
            .addAll(eventIncidents.getOrDefault(id.asText(), Set.of()));
      }
    }
    long falseHigh = order.stream().filter(id -> severities.indexOf(severityOf.get(id)) >= 3
        && !holdingAttacks.contains(id)).count();
    int k = r.get("attack_scenarios").asInt();
    long topHolding = order.subList(0, Math.min(k, order.size())).stream().filter(holdingAttacks::contains).count();
    Integer benignRank = null;
    for (int i = 0; i < order.size() && benignRank == null; i++) {
      benignRank = holdingBenign.contains(order.get(i)) ? i + 1 : null;
    }
    assertEquals(falseHigh, r.get("false_high_incidents").asLong(), r.toString());
    assertEquals((double) falseHigh / k, r.get("false_high_per_attack").asDouble(), 1e-9);
    assertEquals((double) order.size() / k, r.get("incidents_per_attack").asDouble(), 1e-9);
    assertEquals((double) topHolding / k, r.get("precision_at_k").asDouble(), 1e-9);
    assertEquals(benignRank == null ? "null" : String.valueOf(benignRank), r.get("benign_rank").toString());
    int worstAttack = 0;
    for (JsonNode sc : r.get("scenarios")) {
      assertTrue(order.contains(sc.get("incident").asText()), sc.toString());
      assertEquals(order.indexOf(sc.get("incident").asText()) + 1, sc.get("rank").asInt(), sc.toString());
      worstAttack = Math.max(worstAttack, sc.get("rank").asInt());
    }
    JsonNode lookAlike = r.get("benign").get(0);
    assertEquals(lookAlike.get("incident").isNull() ? "null" : String.valueOf(order.indexOf(lookAlike.get("incident").asText()) + 1),
        lookAlike.get("rank").toString(), lookAlike.toString());
    // each queue goal against the recomputed figures
    assertEquals((double) falseHigh / k <= 1.0, goals.get("false_high_per_attack").asBoolean(), goals.toString());
    assertEquals((double) topHolding / k >= 0.9, goals.get("precision_at_k").asBoolean(), goals.toString());
    boolean benignCritical = holdingBenign.stream().anyMatch(id -> "critical".equals(severityOf.get(id)));
    assertEquals(!benignCritical && (benignRank == null || benignRank > worstAttack),
        goals.get("benign_below_attacks").asBoolean(), goals.toString());
    assertTrue(benign.get(0).get("incident").isNull()
        || !Set.of("high", "critical").contains(benign.get(0).get("severity").asText()), benign.toString());

    // a second run reuses the data set and the lake, and scores the same
    CliTest.Run second = CliTest.run(args);
    assertEquals(first.code, second.code, second.err);
    JsonNode again = Json.parse(second.lastLine());
    assertTrue(again.get("data_cached").asBoolean());
    assertEquals(r.get("scenarios"), again.get("scenarios"));
    assertEquals(r.get("incidents"), again.get("incidents"));
  }
}
