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

  private static String rule(String detection) {
    return "title: t\nid: x\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n" + detection;
  }

  @Test
  void constructsWithoutAnExactFormAreReportedNotApproximated() {
    String[][] cases = {
        {"  sel: {}\n  condition: sel\n", "selection 'sel' is an empty map"},
        {"  sel: []\n  condition: sel\n", "selection 'sel' is an empty list"},
        {"  sel: [curl, wget]\n  condition: sel\n",
            "selection 'sel' is a keyword search (values without fields), which has no exact form over CloudTrail's fields"},
        {"  sel: [{eventName: A}, curl]\n  condition: sel\n", "selection 'sel' mixes field maps and keywords"},
        {"  sel: {eventName: []}\n  condition: sel\n", "field eventName has an empty list of values"},
        {"  sel: {eventName: {a: b}}\n  condition: sel\n", "field eventName has a value that is a map"},
        {"  sel: {eventVersion: 1.10}\n  condition: sel\n",
            "field eventVersion has a decimal number (1.1), whose text YAML does not keep; quote it"},
        {"  sel: {eventName|contains|startswith: Get}\n  condition: sel\n",
            "modifiers 'contains' and 'startswith' together (field eventName)"},
        {"  sel: {eventName|contains: null}\n  condition: sel\n", "'contains' with a null value (field eventName)"},
        {"  sel: {errorCode|exists: yes}\n  condition: sel\n", "'exists' takes true or false, got 'yes' (field errorCode)"},
        {"  sel: {eventName|contains|all: Get}\n  condition: sel\n", "'all' needs several values (field eventName)"},
        {"  sel: {eventName: A}\n  condition: sel and 1 of\n",
            "condition 'sel and 1 of': '1 of' needs a selection name, a pattern or 'them'"},
        {"  sel: {eventName: A}\n  condition: all of or sel\n",
            "condition 'all of or sel': 'all of' needs a selection name, a pattern or 'them'"},
        {"  _sel: {eventName: A}\n  condition: 1 of them\n", "condition '1 of them': no selection matches 'them'"},
        {"  sel: {eventName: A}\n  condition: []\n", "the condition is an empty list"},
        {"  sel: {eventName: A}\n  timeframe: 5m\n  condition: sel\n", "timeframe (aggregation over time) is not supported"},
    };
    for (String[] c : cases) {
      SigmaCompiler.Unsupported e = org.junit.jupiter.api.Assertions.assertThrows(
          SigmaCompiler.Unsupported.class, () -> SigmaCompiler.compile("x.yml", rule(c[0])), c[0]);
      assertEquals(c[1], e.getMessage(), c[0]);
    }
  }

  @Test
  void aFileTheCompilerCannotReadIsReportedAndTheFolderGoesOn() throws IOException {
    Path dir = io.trailkeep.testing.TestSpark.tempDir("sigma-mixed");
    Files.writeString(dir.resolve("a-bad.yml"), rule("  sel: {eventName: A}\n  condition: 1 of\n"));
    Files.writeString(dir.resolve("b-numeric.yml"), rule("  sel: {123: x}\n  condition: sel\n"));
    Files.writeString(dir.resolve("c-good.yml"), rule("  sel: {eventName: A}\n  condition: sel\n"));
    SigmaCompiler.Report report = SigmaCompiler.compileDirectory(dir);
    assertEquals(java.util.List.of("sigma-c-good"), report.rules().stream().map(io.trailkeep.detect.Rule::id).toList());
    assertEquals("condition '1 of': '1 of' needs a selection name, a pattern or 'them'",
        report.unsupported().get("a-bad.yml"));
    assertEquals("field '123' is not a CloudTrail field", report.unsupported().get("b-numeric.yml"));
  }

  @Test
  void themLeavesHelpersOutAndEscapesMatchExactly() {
    org.apache.spark.sql.SparkSession spark = io.trailkeep.testing.TestSpark.get();
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("eventName", "string").add("userAgent", "string");
    java.util.List<org.apache.spark.sql.Row> rows = java.util.List.of(
        org.apache.spark.sql.RowFactory.create("A", "x"), org.apache.spark.sql.RowFactory.create("B", "x"),
        org.apache.spark.sql.RowFactory.create("Get*", "tool\\"), org.apache.spark.sql.RowFactory.create("GetX", "tool*"));
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df = spark.createDataFrame(rows, schema);
    java.util.function.Function<String, java.util.List<String>> names = detection -> df
        .filter(SigmaCompiler.compile("x.yml", rule(detection)).condition()).select("eventName")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    // '_helper' is not among 'them', though 'sel' is
    assertEquals(java.util.List.of("A"), names.apply("  sel: {eventName: A}\n  _helper: {eventName: B}\n"
        + "  condition: 1 of them\n"));
    // a pattern that names helpers takes them
    assertEquals(java.util.List.of("B"), names.apply("  sel: {eventName: A}\n  _helper: {eventName: B}\n"
        + "  condition: 1 of _help*\n"));
    // an escaped star is a star, not a wildcard, in plain equality too
    assertEquals(java.util.List.of("Get*"), names.apply("  sel: {eventName: 'Get\\*'}\n  condition: sel\n"));
    // a value ending in one backslash, under endswith, ends in a backslash (not an escaped star)
    assertEquals(java.util.List.of("Get*"), names.apply("  sel: {userAgent|endswith: 'l\\'}\n  condition: sel\n"));
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
