package io.trailkeep.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.cli.CliRunner;
import io.trailkeep.detect.sigma.SigmaCompiler;
import io.trailkeep.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SigmaHQ CloudTrail rules (copied unmodified into the test resources, DRL 1.1): all compile
 * or are reported with the exact construct that stops them; each compiled one behaves as its
 * description says on the cases of {@code sigma/cases.yml} (run by {@link RuleCasesTest}).
 */
class SigmaCompileTest {

  @Test
  void atLeastNinetyPercentCompileAndTheRestNameTheConstruct() throws IOException {
    SigmaCompiler.Report report = DetectFixtures.sigma();
    long files;
    try (Stream<Path> s = Files.list(DetectFixtures.SIGMA)) {
      files = s.filter(p -> p.toString().endsWith(".yml")).count();
    }
    assertEquals(files, report.rules().size() + report.unsupported().size(), "every file is reported");
    assertTrue(report.rules().size() * 10 >= files * 9, report.unsupported().toString());
    // aws_delete_saml_provider.yml selects on 'status', which is not a CloudTrail field
    assertEquals(Map.of("aws_delete_saml_provider.yml", "field 'status' is not a CloudTrail field"),
        report.unsupported());
  }

  @Test
  void everyCompiledRuleHasBehaviourCases() {
    Set<String> withoutCases = new TreeSet<>();
    for (Rule r : DetectFixtures.sigmaRulesWithCases()) {
      if (r.positive().isEmpty() || r.negative().isEmpty()) {
        withoutCases.add(r.id());
      }
    }
    assertEquals(Set.of(), withoutCases);
  }

  @Test
  void compiledRulesKeepAuthorAndIdAndMitre() {
    Rule r = DetectFixtures.sigma().rules().stream()
        .filter(x -> x.id().equals("sigma-aws_cloudtrail_bucket_deleted")).findFirst().orElseThrow();
    assertTrue(r.description().contains("Sigma rule 39c9f26d-6e3b-4dbb-9c7a-4154b0281112"), r.description());
    assertTrue(r.description().contains("by "), r.description());
    assertTrue(r.description().contains("Ivan Saakov, Nasreddine Bencherchali"), r.description());
    assertEquals("sigma", r.source());
    assertEquals("medium", r.severity());
    assertEquals(java.util.List.of("TA0005"), r.tactics(), "attack.stealth");
    assertEquals("AWS Bucket Deleted", r.title());
  }

  @Test
  void unsupportedModifiersAreNamed() {
    String rule = "title: t\nid: x\nlogsource: {product: aws, service: cloudtrail}\n"
        + "detection:\n  sel:\n    userAgent|base64offset|contains: curl\n  condition: sel\n";
    SigmaCompiler.Unsupported e = org.junit.jupiter.api.Assertions.assertThrows(
        SigmaCompiler.Unsupported.class, () -> SigmaCompiler.compile("x.yml", rule));
    assertEquals("modifier 'base64offset' (field userAgent)", e.getMessage());
    String windows = "title: t\nid: x\nlogsource: {product: windows, category: process_creation}\n"
        + "detection:\n  sel:\n    CommandLine|windash|contains: -enc\n  condition: sel\n";
    e = org.junit.jupiter.api.Assertions.assertThrows(SigmaCompiler.Unsupported.class,
        () -> SigmaCompiler.compile("w.yml", windows));
    assertTrue(e.getMessage().startsWith("logsource"), e.getMessage());
  }

  @Test
  void compileOnlyPrintsCompiledUnsupportedAndPerRuleReasons() {
    CliRunner.Run run = CliRunner.run("detect", "--sigma", DetectFixtures.SIGMA.toString(),
        "--compile-only", "--json");
    assertEquals(0, run.code(), run.err());
    JsonNode j = Json.parse(run.lastLine());
    assertEquals(28, j.get("compiled").asInt());
    assertEquals(1, j.get("unsupported").asInt());
    int reasons = 0;
    for (JsonNode r : j.get("rules")) {
      if (r.get("status").asText().equals("unsupported")) {
        assertEquals("aws_delete_saml_provider.yml", r.get("file").asText());
        assertEquals("field 'status' is not a CloudTrail field", r.get("reason").asText());
        reasons++;
      }
    }
    assertEquals(1, reasons);
  }
}
