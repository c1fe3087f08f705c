package io.trailkeep.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.pipeline.ScenarioCheck;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Eight days of an organization with every scenario: the generator leaves the first seven (the
 * learning period of the unusual-activity rules) to the background and plays the scenarios on the
 * eighth. After one ingest and one detect, every scenario's expected rules fire, and so do the
 * rules it expects once the baselines know its principals ({@code expected_rules_after_learning}:
 * new networks, agents, APIs and regions, the call-volume spike).
 */
class LearnedScenariosTest {

  @Test
  void afterTheLearningPeriodTheUnusualActivityRulesSeeEveryScenario() {
    Path raw = TestSpark.tempDir("learned-raw");
    Generator.with(new Configuration()).raw(raw.toString()).events(8000).days(8).accounts(2).seed(8)
        .start(LocalDate.of(2026, 2, 1)).scenarios(List.of("all")).execute();
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("learned-lake").toString());
    IngestJob.into(lake).raw(raw.toString()).execute();
    DetectJob.Result detect = DetectJob.on(lake).execute();
    assertEquals(0, detect.rulesFailed(), detect.failures().toString());
    Map<String, JsonNode> truths = ScenarioCheck.groundTruth(lake, raw.toString());
    List<ScenarioCheck.Outcome> outcomes = ScenarioCheck.check(lake, raw.toString());
    assertEquals(truths.size(), outcomes.size());
    int learned = 0;
    List<String> failed = new ArrayList<>();
    for (ScenarioCheck.Outcome o : outcomes) {
      JsonNode truth = truths.get(o.scenario());
      assertTrue(LocalDate.parse(truth.path("start").asText().substring(0, 10)).equals(LocalDate.of(2026, 2, 8)),
          o.scenario() + " happens after the learning period: " + truth.path("start"));
      for (JsonNode r : truth.path("expected_rules_after_learning")) {
        assertTrue(o.expected().contains(r.asText()), o.scenario() + " is checked for " + r.asText());
        learned++;
      }
      if (!o.passed()) {
        failed.add(o.toString());
      }
    }
    assertTrue(learned >= 15, "the catalog expects unusual-activity rules: " + learned);
    assertTrue(failed.isEmpty(), "scenarios whose expected rules did not fire: " + failed);
  }
}
