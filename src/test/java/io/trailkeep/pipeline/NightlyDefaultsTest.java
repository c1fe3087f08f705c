package io.trailkeep.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.cli.CliRunner;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.json.Json;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a new user runs first, with the shipped configuration and no other setting: generate into
 * a raw folder of their choice, then nightly on it. Every step runs (validate finds the generated
 * keys under that raw folder, not the demo's), the reports land beside the lake, and a second run
 * the same night does nothing.
 */
class NightlyDefaultsTest {

  @Test
  void generateThenNightlyRunsEveryStepAndASecondRunDoesNothing() {
    Path dir = TestSpark.tempDir("nightly-defaults");
    Path raw = dir.resolve("my-raw");
    Path lake = dir.resolve("my-lake");
    CliRunner.Run gen = CliRunner.run("generate", "--raw", raw.toString(), "--events", "600", "--days", "1",
        "--accounts", "1", "--scenarios", "leaked-access-key");
    assertEquals(0, gen.code(), gen.err());
    assertTrue(Files.exists(raw.resolve("cloudtrail-public-keys.json")));
    CliRunner.Run first = CliRunner.run("nightly", "--raw", raw.toString(), "--lake", lake.toString(), "--json");
    assertEquals(0, first.code(), first.out() + first.err());
    JsonNode s = Json.parse(first.lastLine());
    List<String> ran = new ArrayList<>();
    s.get("ran").forEach(n -> ran.add(n.asText()));
    assertEquals(ConfKey.NIGHTLY_STEP_NAMES, ran);
    JsonNode validate = s.get("steps").get("validate").get("summary");
    assertEquals(raw.resolve("cloudtrail-public-keys.json").toString(), validate.get("public_keys").asText());
    assertEquals(0, validate.get("problem_count").asInt(), validate.toString());
    assertTrue(validate.get("digests_checked").asLong() > 0);
    JsonNode report = s.get("steps").get("report").get("summary");
    assertEquals(dir.resolve("reports").toString(), report.get("dir").asText());
    assertTrue(report.get("reports").asInt() > 0, report.toString());

    CliRunner.Run second = CliRunner.run("nightly", "--raw", raw.toString(), "--lake", lake.toString(), "--json");
    assertEquals(0, second.code(), second.err());
    JsonNode again = Json.parse(second.lastLine());
    assertEquals(0, again.get("ran").size(), again.toString());
    assertEquals(ConfKey.NIGHTLY_STEP_NAMES.size(), again.get("skipped").size());
  }
}
