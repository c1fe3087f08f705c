package io.trailkeep.detect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.pipeline.RuleTests;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every inline case of every shipped rule (and the behaviour cases of the compiled Sigma rules),
 * pushed through the real ingest and detect: a positive case must raise its rule's alert, a
 * negative one must not. All cases share one ingest and one detect run; each is its own test.
 */
class RuleCasesTest {

  static Stream<RuleTests.CaseResult> cases() {
    return DetectFixtures.results().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void ruleCase(RuleTests.CaseResult result) {
    assertTrue(result.passed(), result.describe());
  }
}
