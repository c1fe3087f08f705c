package io.trailkeep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.cli.CliRunner.Run;
import io.trailkeep.json.Json;
import io.trailkeep.schema.RecordJson;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code investigate} through the CLI on a small lake whose events carry attacker-controlled
 * text: the timeline is ordered and grouped, terminal output shows control characters as escapes,
 * CSV defuses formulas, values are bound (an injection attempt finds nothing), and usage errors
 * exit 2.
 */
class InvestigateCommandTest {
  private static final String IP = "198.51.100.7";
  private static final String ESCAPE_TARGET = "\u001b[2Jevil<script>alert(1)</script>";
  private static Path lake;

  /** A record from {@code ip} creating user {@code userName} (the timeline's target). */
  private static String createUser(String id, String time, String ip, String userName) {
    return Fixtures.record(id, time, "CreateUser").replace("\"ec2.amazonaws.com\"", "\"iam.amazonaws.com\"")
        .replace("\"sourceIPAddress\":\"198.51.100.7\"", "\"sourceIPAddress\":\"" + ip + "\"")
        .replace("{\"maxResults\":5}", "{\"userName\":" + Json.write(userName) + "}");
  }

  @BeforeAll
  static void ingest() {
    Path raw = TestSpark.tempDir("investigate-raw");
    lake = TestSpark.tempDir("investigate-lake");
    List<String> records = new ArrayList<>();
    records.add(Fixtures.record("e1", "2026-03-04T10:00:00Z", "DescribeInstances"));
    records.add(Fixtures.record("e2", "2026-03-04T10:00:05Z", "DescribeInstances"));
    records.add(createUser("e3", "2026-03-04T10:01:00Z", IP, "=HYPERLINK(\"http://203.0.113.9\")"));
    records.add(createUser("e4", "2026-03-04T10:02:00Z", IP, ESCAPE_TARGET));
    records.add(createUser("e5", "2026-03-04T10:03:00Z", "203.0.113.9", "other"));
    Fixtures.writeGzip(raw, Fixtures.logKey(Fixtures.ACCOUNT, Fixtures.REGION, "20260304T1005Z", "inv1"),
        Fixtures.body(records));
    Run ingest = CliRunner.run("ingest", "--raw", raw.toString(), "--lake", lake.toString());
    assertEquals(0, ingest.code(), ingest.err());
  }

  @Test
  void printsTheGroupedTimelineWithHostileTextEscaped() {
    Run r = CliRunner.run("investigate", "--lake", lake.toString(), "--ip", IP);
    assertEquals(0, r.code(), r.err());
    assertFalse(r.out().contains("\u001b"), "no raw escape character reaches the terminal");
    assertTrue(r.out().contains("\\e[2Jevil<script>"), r.out());
    assertTrue(r.out().contains("4 rows in 3 groups"), r.out());
    // the two DescribeInstances calls collapse into one line counting 2
    assertTrue(r.out().lines().anyMatch(l -> l.contains("ec2:DescribeInstances") && l.matches(".*\\|\\s*2\\s*\\|\\s*$")),
        r.out());
    assertFalse(r.out().contains("203.0.113.9 "), "another address's event is not in the timeline");
  }

  @Test
  void jsonLinesAndFilesHoldEveryRowExactly() throws IOException {
    Path out = TestSpark.tempDir("investigate-out");
    Run r = CliRunner.run("investigate", "--lake", lake.toString(), "--ip", IP, "--json", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    List<JsonNode> rows = r.out().lines().map(RecordJson::parse).toList();
    assertEquals(List.of("e1", "e2", "e3", "e4"), rows.stream().map(n -> n.get("ref").asText()).toList());
    assertEquals(ESCAPE_TARGET, rows.get(3).get("target").asText(), "JSON keeps the value exactly");
    assertEquals("iam:CreateUser", rows.get(3).get("action").asText());
    assertEquals("success", rows.get(3).get("outcome").asText());
    JsonNode file = Json.parse(Files.readString(out.resolve("timeline.json"), StandardCharsets.UTF_8));
    assertEquals(4, file.get("rows").size());
    assertEquals("--ip " + IP, file.get("query").asText());
    List<String> csv = Files.readAllLines(out.resolve("timeline.csv"), StandardCharsets.UTF_8);
    assertEquals(5, csv.size(), csv.toString());
    assertTrue(csv.get(3).contains("\"'=HYPERLINK(\"\"http://203.0.113.9\"\")\""),
        "a formula in a CSV cell is defused: " + csv.get(3));
  }

  @Test
  void valuesAreBoundAndUsageErrorsExitTwo() {
    Run injection = CliRunner.run("investigate", "--lake", lake.toString(), "--json", "--ip", "' OR '1'='1");
    assertEquals(0, injection.code(), injection.err());
    assertEquals("", injection.out().strip(), "an injection attempt matches nothing");
    Run two = CliRunner.run("investigate", "--lake", lake.toString(), "--ip", IP, "--bucket", "b");
    assertEquals(2, two.code());
    assertTrue(two.err().contains("give exactly one of --principal, --access-key, --ip, --instance or --bucket"),
        two.err());
    assertEquals(2, CliRunner.run("investigate", "--lake", lake.toString()).code());
    Run badDay = CliRunner.run("investigate", "--lake", lake.toString(), "--ip", IP, "--from", "yesterday");
    assertEquals(2, badDay.code(), badDay.err());
  }
}
