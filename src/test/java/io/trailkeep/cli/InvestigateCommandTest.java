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

  private static final String ROLE_ID = "AROAEXAMPLEROLE000001";
  private static final String SESSION_42 = "arn:aws:sts::" + Fixtures.ACCOUNT + ":assumed-role/deploy/build-42";

  /** A call by session {@code session} of the role ci/deploy (a role with a path), with its own key. */
  private static String sessionRecord(String id, String time, String session, String key) {
    String identity = "{\"type\":\"AssumedRole\",\"principalId\":\"" + ROLE_ID + ":" + session + "\","
        + "\"arn\":\"arn:aws:sts::" + Fixtures.ACCOUNT + ":assumed-role/deploy/" + session + "\",\"accountId\":\""
        + Fixtures.ACCOUNT + "\",\"accessKeyId\":\"" + key + "\",\"sessionContext\":{\"sessionIssuer\":{"
        + "\"type\":\"Role\",\"principalId\":\"" + ROLE_ID + "\",\"arn\":\"arn:aws:iam::" + Fixtures.ACCOUNT
        + ":role/ci/deploy\",\"accountId\":\"" + Fixtures.ACCOUNT + "\",\"userName\":\"deploy\"},"
        + "\"attributes\":{\"creationDate\":\"2026-03-04T09:00:00Z\",\"mfaAuthenticated\":\"false\"}}}";
    String r = Fixtures.record(id, time, "DescribeInstances")
        .replace("\"sourceIPAddress\":\"198.51.100.7\"", "\"sourceIPAddress\":\"192.0.2.50\"");
    int start = r.indexOf("{\"type\":\"IAMUser\"");
    int end = r.indexOf("},\"eventTime\"") + 1;
    return r.substring(0, start) + identity + r.substring(end);
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
    records.add(sessionRecord("s1", "2026-03-04T10:04:00Z", "build-42", "ASIAEXAMPLESESS00042"));
    records.add(sessionRecord("s2", "2026-03-04T10:05:00Z", "build-42", "ASIAEXAMPLESESS00042"));
    records.add(sessionRecord("s3", "2026-03-04T10:06:00Z", "build-43", "ASIAEXAMPLESESS00043"));
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

  private static List<String> refs(Run r) {
    return r.out().lines().map(RecordJson::parse).map(n -> n.has("ref") ? n.get("ref").asText()
        : n.get("eventID").asText()).toList();
  }

  @Test
  void everyPrincipalFormALogShowsFindsItsEvents() {
    // a session ARN as userIdentity.arn holds it: that session only
    Run session = CliRunner.run("investigate", "--lake", lake.toString(), "--json", "--principal", SESSION_42);
    assertEquals(0, session.code(), session.err());
    assertEquals(List.of("s1", "s2"), refs(session));
    Run activity = CliRunner.run("activity", "--lake", lake.toString(), "--json", "--principal", SESSION_42);
    assertEquals(0, activity.code(), activity.err());
    assertEquals(List.of("s1", "s2"), refs(activity));
    // the role's ARN (with its path), the assumed-role ARN without a session, the role's id: every session
    for (String role : List.of("arn:aws:iam::" + Fixtures.ACCOUNT + ":role/ci/deploy",
        "arn:aws:sts::" + Fixtures.ACCOUNT + ":assumed-role/deploy", ROLE_ID)) {
      Run r = CliRunner.run("activity", "--lake", lake.toString(), "--json", "--principal", role);
      assertEquals(0, r.code(), r.err());
      assertEquals(List.of("s1", "s2", "s3"), refs(r), role);
    }
    // a session's principal id, and a user's ARN
    Run id = CliRunner.run("activity", "--lake", lake.toString(), "--json", "--principal", ROLE_ID + ":build-43");
    assertEquals(List.of("s3"), refs(id));
    Run user = CliRunner.run("activity", "--lake", lake.toString(), "--json", "--principal",
        "arn:aws:iam::" + Fixtures.ACCOUNT + ":user/alice");
    assertEquals(List.of("e1", "e2", "e3", "e4", "e5"), refs(user));
  }

  @Test
  void aLookupThatFindsNothingNamesWhatWould() {
    Run r = CliRunner.run("investigate", "--lake", lake.toString(), "--principal",
        "arn:aws:sts::" + Fixtures.ACCOUNT + ":assumed-role/deploy/build-99");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("nothing found for --principal arn:aws:sts::" + Fixtures.ACCOUNT
        + ":assumed-role/deploy/build-99; --principal arn:aws:iam::" + Fixtures.ACCOUNT
        + ":role/deploy (or arn:aws:sts::" + Fixtures.ACCOUNT + ":assumed-role/deploy) shows every session of "
        + "the role deploy"), r.out());
    Run json = CliRunner.run("activity", "--lake", lake.toString(), "--json", "--principal",
        "arn:aws:iam::" + Fixtures.ACCOUNT + ":user/nobody");
    assertEquals(0, json.code(), json.err());
    assertEquals("", json.out().strip(), "with --json stdout holds rows only");
    assertTrue(json.err().startsWith("trailkeep: nothing found for --principal arn:aws:iam::" + Fixtures.ACCOUNT
        + ":user/nobody (an IAM user ARN); --principal takes "), json.err());
  }

  @Test
  void badEntityArgumentsExitTwoNamingTheForm() {
    String[][] cases = {
        {"--ip", "not-an-ip", "--ip expects an IPv4 or IPv6 address"},
        {"--ip", "300.1.2.3", "--ip expects an IPv4 or IPv6 address"},
        {"--ip", "2001:db8::1::2", "--ip expects an IPv4 or IPv6 address"},
        {"--instance", "i-xyz", "--instance expects an EC2 instance id"},
        {"--access-key", ROLE_ID, "that is a principal id: pass it with --principal"},
        {"--access-key", "akiaexample", "--access-key expects an access key id"},
        {"--bucket", "no bucket!", "--bucket expects an S3 bucket name"},
        {"--ip", ":1::2", "--ip expects an IPv4 or IPv6 address"},
        {"--principal", "alice", "--principal does not look like a principal: 'alice'"},
    };
    for (String[] c : cases) {
      Run r = CliRunner.run("investigate", "--lake", lake.toString(), c[0], c[1]);
      assertEquals(2, r.code(), c[1] + ": " + r.err());
      assertTrue(r.err().startsWith("trailkeep: " + (c[2].startsWith("--") ? c[2] : "")), r.err());
      assertTrue(r.err().contains(c[2]), r.err());
      assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());
    }
    Run ipv6 = CliRunner.run("investigate", "--lake", lake.toString(), "--ip", "::ffff:198.51.100.7");
    assertEquals(0, ipv6.code(), ipv6.err());
    Run backwards = CliRunner.run("activity", "--lake", lake.toString(), "--principal", SESSION_42,
        "--from", "2026-03-05", "--to", "2026-03-04");
    assertEquals(2, backwards.code());
    assertEquals("trailkeep: --from 2026-03-05 is after --to 2026-03-04; give the earlier day first",
        backwards.err().strip());
  }

  @Test
  void valuesAreBoundAndUsageErrorsExitTwo() {
    // a federated principal id takes any text after the account: the quote reaches the query as a value
    Run injection = CliRunner.run("investigate", "--lake", lake.toString(), "--json", "--principal",
        Fixtures.ACCOUNT + ":x' OR '1'='1");
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
