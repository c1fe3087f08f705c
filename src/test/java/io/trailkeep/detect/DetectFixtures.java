package io.trailkeep.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trailkeep.detect.sigma.SigmaCompiler;
import io.trailkeep.generate.Generator;
import io.trailkeep.lake.Lake;
import io.trailkeep.pipeline.RuleTests;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Shared, computed once per JVM: the shipped rules, the SigmaHQ rules of the test resources compiled
 * and given their hand-written cases ({@code sigma/cases.yml}), and the outcome of every case of
 * both run through one real ingest and one detect ({@link RuleTests}).
 */
public final class DetectFixtures {
  static final Path SIGMA = Path.of("src/test/resources/sigma/rules");
  private static List<RuleTests.CaseResult> results;
  private static SigmaCompiler.Report sigma;
  private static Path work;
  /** The generated scenarios' day: inside the range of the rule cases' days. */
  public static final LocalDate SCENARIO_DAY = LocalDate.of(2026, 3, 4);

  private DetectFixtures() {}

  static synchronized SigmaCompiler.Report sigma() {
    if (sigma == null) {
      sigma = SigmaCompiler.compileDirectory(SIGMA);
    }
    return sigma;
  }

  /** The compiled Sigma rules with the cases of {@code sigma/cases.yml} (by file name). */
  static List<Rule> sigmaRulesWithCases() {
    Map<String, Object> cases = Rule.map(RuleFiles.parseYaml("cases.yml",
        read(SIGMA.resolveSibling("cases.yml"))));
    List<Rule> out = new ArrayList<>();
    for (Rule r : sigma().rules()) {
      Map<String, Object> c = Rule.map(cases.get(r.id().substring("sigma-".length())));
      out.add(r.withCases(records(c.get("positive")), records(c.get("negative"))));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Rule.TestCase> records(Object o) {
    List<Rule.TestCase> out = new ArrayList<>();
    if (o instanceof List) {
      int i = 0;
      for (Object record : (List<?>) o) {
        out.add(new Rule.TestCase("record " + ++i, List.of((Map<String, Object>) record), null,
            List.of()));
      }
    }
    return out;
  }

  /** Every case of the shipped rules and of the Sigma rules, from one ingest and one detect. */
  static synchronized List<RuleTests.CaseResult> results() {
    if (results == null) {
      List<Rule> rules = new ArrayList<>(RuleFiles.shipped());
      rules.addAll(sigmaRulesWithCases());
      work = TestSpark.tempDir("rule-cases");
      // the generated organization with every scenario shares the lake: its accounts differ from
      // the cases' and its day lies inside their range, so one ingest and one detect serve both
      Generator.with(new Configuration()).raw(raw().toString()).events(1500).days(1).accounts(4)
          .seed(7).start(SCENARIO_DAY).scenarios(List.of("all")).execute();
      results = RuleTests.run(TestSpark.get(), rules, work);
      long expected = rules.stream().mapToLong(r -> r.positive().size() + r.negative().size()).sum();
      assertEquals(expected, results.size(), "every case ran");
    }
    return results;
  }

  /** The raw root of the shared lake (cases and generated scenarios). */
  public static Path raw() {
    return work.resolve("raw");
  }

  /** The shared lake, after {@link #results()}. */
  public static Lake lake() {
    results();
    return new Lake(TestSpark.get(), work.resolve("lake").toString());
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
