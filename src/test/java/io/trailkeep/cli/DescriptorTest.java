package io.trailkeep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The job descriptors in {@code jobs/} cannot drift from the code: each is valid JSON of the shape
 * its service expects, and the TrailKeep command line it carries goes through the CLI's own
 * parser (command, flags) and names only declared configuration keys. A deliberately wrong flag,
 * command or key makes the check fail.
 */
class DescriptorTest {
  private static final Path JOBS = Path.of("jobs");

  private static JsonNode read(String name) throws IOException {
    return Json.parse(Files.readString(JOBS.resolve(name), StandardCharsets.UTF_8));
  }

  /** Parses {@code args} as the CLI would; throws on an unknown command, flag or key. */
  static void check(List<String> args) {
    CommandLine cl = new CommandLine(new Main());
    CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(new String[0]));
    if (!parsed.hasSubcommand()) {
      throw new IllegalArgumentException("no TrailKeep command in " + args);
    }
    for (int i = 0; i < args.size() - 1; i++) {
      if (args.get(i).equals("--set")) {
        String key = args.get(i + 1).substring(0, args.get(i + 1).indexOf('='));
        if (!ConfKey.all().containsKey(key)) {
          throw new IllegalArgumentException("unknown configuration key " + key + " in " + args);
        }
        ConfKey.all().get(key).parse(args.get(i + 1).substring(key.length() + 1));
      }
    }
  }

  /** The TrailKeep arguments of an EMR step: what follows the job jar. */
  static List<String> emrStepArgs(JsonNode step) {
    assertEquals("CUSTOM_JAR", step.get("Type").asText());
    assertEquals("command-runner.jar", step.get("Jar").asText());
    assertTrue(step.has("Name") && step.has("ActionOnFailure"), step.toString());
    List<String> args = new ArrayList<>();
    step.get("Args").forEach(a -> args.add(a.asText()));
    assertEquals("spark-submit", args.get(0));
    assertEquals("io.trailkeep.cli.Main", args.get(args.indexOf("--class") + 1));
    int jar = -1;
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).endsWith(".jar")) {
        jar = i;
      }
    }
    assertTrue(jar > 0, "the step names the job jar: " + args);
    return args.subList(jar + 1, args.size());
  }

  @Test
  void everyDescriptorCarriesACommandLineTheCliAccepts() throws IOException {
    JsonNode steps = read("emr-step.json");
    assertTrue(steps.isArray() && steps.size() > 0);
    steps.forEach(s -> check(emrStepArgs(s)));

    for (String name : List.of("emr-serverless-job.json", "emr-serverless-7-job.json")) {
      JsonNode serverless = read(name);
      JsonNode submit = serverless.get("jobDriver").get("sparkSubmit");
      assertTrue(serverless.has("applicationId") && serverless.has("executionRoleArn"), name);
      assertTrue(submit.get("entryPoint").asText().endsWith(".jar"), name);
      assertTrue(submit.get("sparkSubmitParameters").asText().contains("--class io.trailkeep.cli.Main"), name);
      List<String> serverlessArgs = new ArrayList<>();
      submit.get("entryPointArguments").forEach(a -> serverlessArgs.add(a.asText()));
      check(serverlessArgs);
    }
    assertTrue(read("emr-serverless-job.json").toString().contains("trailkeep-spark4-"), "release 8 runs Spark 4");
    assertTrue(read("emr-serverless-7-job.json").toString().contains("trailkeep-spark3.5-"), "release 7 runs Spark 3.5");

    for (String name : List.of("glue-job.json", "glue6-job.json")) {
      JsonNode glue = read(name);
      assertEquals("glueetl", glue.get("Command").get("Name").asText(), name);
      JsonNode defaults = glue.get("DefaultArguments");
      assertEquals("io.trailkeep.cli.GlueEntry", defaults.get("--class").asText(), name);
      assertEquals("delta", defaults.get("--datalake-formats").asText(), name);
      assertEquals(glue.get("GlueVersion").asText().equals("6.0"),
          defaults.get("--extra-jars").asText().contains("trailkeep-spark4-"), name + ": the jar matches the Glue version");
      check(List.of(GlueEntry.trailkeepArgs(new String[] {"--JOB_NAME", "x", "--trailkeep",
          defaults.get("--trailkeep").asText()})));
    }

    // the spark-submit line: the shell words after 'exec', variables as a user would set them
    String script = Files.readString(JOBS.resolve("spark-submit.sh"), StandardCharsets.UTF_8);
    String line = script.substring(script.indexOf("exec spark-submit")).replace("\\\n", " ")
        .replaceAll("\\$\\{TRAILKEEP_JAR[^}]*\\}", "trailkeep.jar")
        .replaceAll("\\$\\{RAW[^}]*\\}", "s3a://raw").replaceAll("\\$\\{LAKE[^}]*\\}", "s3a://lake/trailkeep");
    List<String> submit = GlueEntry.words(line.strip());
    assertEquals(List.of("exec", "spark-submit"), submit.subList(0, 2));
    assertEquals("io.trailkeep.cli.Main", submit.get(submit.indexOf("--class") + 1));
    assertTrue(line.contains("delta-spark_2.12:3.3.2"), "the Delta release of the default build");
    check(submit.subList(submit.indexOf("trailkeep.jar") + 1, submit.size()));

    JsonNode schedule = read("schedule.json");
    assertTrue(schedule.get("ScheduleExpression").asText().startsWith("cron("));
    assertEquals(read("glue-job.json").get("Name").asText(),
        Json.parse(schedule.get("Target").get("Input").asText()).get("JobName").asText(),
        "the schedule starts the Glue job");

    JsonNode policy = read("iam-policy.json");
    assertEquals("2012-10-17", policy.get("Version").asText());
    List<String> actions = new ArrayList<>();
    policy.get("Statement").forEach(st -> st.get("Action").forEach(a -> actions.add(a.asText())));
    assertTrue(actions.containsAll(List.of("s3:GetObject", "s3:PutObject", "kms:Decrypt", "cloudtrail:ListPublicKeys",
        "glue:CreateDatabase", "glue:CreateTable", "glue:UpdateTable")), actions.toString());

    // the cluster's Spark settings are the ones TrailKeep's own sessions fix
    JsonNode configurations = read("emr-configurations.json");
    Map<String, JsonNode> byClassification = new java.util.HashMap<>();
    configurations.forEach(c -> byClassification.put(c.get("Classification").asText(), c.get("Properties")));
    assertEquals(java.util.Set.of("delta-defaults", "spark-defaults", "spark-hive-site", "core-site"),
        byClassification.keySet());
    org.apache.spark.SparkConf fixed = new org.apache.spark.SparkConf(false);
    io.trailkeep.spark.Sessions.applyFixed(fixed);
    byClassification.get("spark-defaults").fields().forEachRemaining(p ->
        assertEquals(fixed.get(p.getKey()), p.getValue().asText(), "spark-defaults " + p.getKey()));
    assertEquals("true", byClassification.get("delta-defaults").get("delta.enabled").asText());
    try (Stream<Path> files = Files.list(JOBS)) {
      assertEquals(8, files.filter(p -> p.toString().endsWith(".json")).count(), "every descriptor is checked");
    }
  }

  @Test
  void glueArgumentsSplitAsAShellWouldSoQuotingSurvives() {
    assertEquals(List.of("detect", "--set", "detect.disabled-rules=a b", "--json"),
        GlueEntry.words("detect --set \"detect.disabled-rules=a b\"  --json"));
    assertEquals(List.of("sql", "SELECT 'x' AS y", "--lake", "s3a://b/l"),
        GlueEntry.words("sql \"SELECT 'x' AS y\" --lake s3a://b/l"));
    assertEquals(List.of("a\"b", "c d", "e\\f"), GlueEntry.words("a\\\"b 'c d' \"e\\\\f\""));
    assertThrows(io.trailkeep.conf.ConfException.class, () -> GlueEntry.words("ingest --raw 's3a://x"));
  }

  @Test
  void aWrongFlagCommandOrKeyFailsTheCheck() throws IOException {
    JsonNode step = read("emr-step.json").get(0);
    ObjectNode wrongFlag = step.deepCopy();
    ((ArrayNode) wrongFlag.get("Args")).add("--no-such-flag");
    assertThrows(CommandLine.ParameterException.class, () -> check(emrStepArgs(wrongFlag)));
    List<String> args = new ArrayList<>(emrStepArgs(step));
    args.set(0, "nightlyy");
    assertThrows(CommandLine.ParameterException.class, () -> check(args));
    List<String> badKey = new ArrayList<>(emrStepArgs(step));
    badKey.addAll(List.of("--set", "nightly.stepz=ingest"));
    assertThrows(IllegalArgumentException.class, () -> check(badKey));
  }
}
