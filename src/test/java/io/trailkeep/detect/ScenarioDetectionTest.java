package io.trailkeep.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.generate.Generator;
import io.trailkeep.pipeline.ScenarioCheck;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every scenario of the generator's catalog, written into a busy organization, ingested and
 * detected with the shipped rules: each expected rule raises an alert about the scenario (its
 * eventIDs, findings or entities), and the benign look-alike raises none of the rules it must
 * not. Shares its lake with {@link RuleCasesTest} ({@link DetectFixtures}).
 */
class ScenarioDetectionTest {

  static Stream<ScenarioCheck.Outcome> outcomes() {
    return ScenarioCheck.check(DetectFixtures.lake(), DetectFixtures.raw().toString()).stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outcomes")
  void scenarioIsDetected(ScenarioCheck.Outcome o) {
    assertEquals(List.of(), o.missing(), o.scenario() + ": expected rules without an alert; fired: "
        + o.fired());
    assertEquals(List.of(), o.firedWrongly(), o.scenario() + ": rules that must not fire did");
    assertTrue(o.benign() || !o.expected().isEmpty(), o.scenario() + " expects rules");
  }

  @Test
  void theCatalogCoversEveryFamilyAndABenignLookAlike() {
    Set<String> names = new TreeSet<>(Generator.knownScenarios());
    assertTrue(names.size() >= 10, names.toString());
    Set<String> checked = new TreeSet<>();
    boolean benign = false;
    for (ScenarioCheck.Outcome o : outcomes().toList()) {
      checked.add(o.scenario());
      benign |= o.benign();
    }
    assertEquals(names, checked, "every scenario wrote its ground truth");
    assertTrue(benign, "a benign look-alike is in the catalog");
    Set<String> expected = new TreeSet<>();
    outcomes().forEach(o -> expected.addAll(o.expected()));
    Set<String> shipped = new TreeSet<>();
    RuleFiles.shipped().forEach(r -> shipped.add(r.id()));
    assertFalse(expected.isEmpty());
    assertTrue(shipped.containsAll(expected), "ground truth names shipped rules: " + expected);
  }
}
