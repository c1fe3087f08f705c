package io.trailkeep.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.schema.RecordJson;
import io.trailkeep.storage.AwsLogKeys;
import io.trailkeep.storage.RawFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** The generator without Spark: determinism, layout, realism, scenario ground truth. */
class GeneratorTest {

  private static Generator.Result run(Path raw, long seed, long events) {
    return Generator.with(new Configuration()).raw(raw.toString()).seed(seed).events(events).days(1)
        .accounts(3).start(LocalDate.of(2026, 2, 1)).flowRatio(2).execute();
  }

  private static Map<String, byte[]> tree(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
        out.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private static JsonNode gunzipJson(Path p) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
      return RecordJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void sameSeedSameBytesOtherSeedOtherData() throws IOException {
    Path a = Files.createTempDirectory("gen-a");
    Path b = Files.createTempDirectory("gen-b");
    Path c = Files.createTempDirectory("gen-c");
    run(a, 5, 2000);
    run(b, 5, 2000);
    run(c, 6, 2000);
    Map<String, byte[]> ta = tree(a);
    Map<String, byte[]> tb = tree(b);
    assertEquals(ta.keySet(), tb.keySet());
    for (String k : ta.keySet()) {
      assertTrue(Arrays.equals(ta.get(k), tb.get(k)), "differs: " + k);
    }
    assertNotEquals(ta.keySet(), tree(c).keySet());
  }

  @Test
  void filesFollowTheCloudTrailDeliveryLayout() throws IOException {
    Path raw = Files.createTempDirectory("gen");
    Generator.Result r = run(raw, 9, 3000);
    List<Path> files;
    try (Stream<Path> s = Files.walk(raw.resolve("AWSLogs"))) {
      files = s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
    long logs = 0;
    Set<String> names = new HashSet<>();
    Set<String> identityTypes = new HashSet<>();
    long records = 0;
    for (Path p : files) {
      String rel = raw.relativize(p).toString();
      RawFile f = RawFile.classify(rel, 0, 0);
      assertTrue(f.kind != AwsLogKeys.Kind.UNKNOWN, rel);
      if (f.kind == AwsLogKeys.Kind.CLOUDTRAIL) {
        logs++;
        assertTrue(rel.matches("AWSLogs/o-[a-z0-9]{10}/\\d{12}/CloudTrail/[a-z0-9-]+/\\d{4}/\\d{2}/\\d{2}/"
            + "\\d{12}_CloudTrail_[a-z0-9-]+_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz"), rel);
        JsonNode body = gunzipJson(p);
        for (JsonNode rec : body.get("Records")) {
          records++;
          names.add(rec.get("eventName").asText());
          identityTypes.add(rec.get("userIdentity").get("type").asText());
          assertEquals(f.accountId, rec.get("recipientAccountId").asText());
        }
      }
    }
    assertEquals(r.files() - r.insightFiles(), logs);
    assertEquals(r.events() - 2 * r.insightFiles(), records);
    assertTrue(names.size() > 120, "event mix: " + names.size());
    assertTrue(identityTypes.containsAll(Set.of("IAMUser", "AssumedRole", "AWSService", "Root")),
        identityTypes.toString());
    assertTrue(r.digestFiles() > 0);
    assertTrue(new EventCatalog().size() >= 200);
  }

  @Test
  void scenarioGroundTruthMatchesTheWrittenEvents() throws IOException {
    Path raw = Files.createTempDirectory("gen");
    run(raw, 3, 1000);
    JsonNode truth = RecordJson.parse(Files.readString(raw.resolve("ground-truth/leaked-access-key.json")));
    Set<String> expected = new HashSet<>();
    truth.get("event_ids").forEach(n -> expected.add(n.asText()));
    String attacker = truth.get("entities").get("attacker_ip").asText();
    Set<String> found = new HashSet<>();
    List<String> eventNames = new ArrayList<>();
    try (Stream<Path> s = Files.walk(raw.resolve("AWSLogs"))) {
      for (Path p : s.filter(x -> x.toString().contains("/CloudTrail/") && Files.isRegularFile(x)).collect(Collectors.toList())) {
        for (JsonNode rec : gunzipJson(p).get("Records")) {
          if (rec.get("sourceIPAddress").asText().equals(attacker)) {
            found.add(rec.get("eventID").asText());
            eventNames.add(rec.get("eventName").asText());
          }
        }
      }
    }
    assertEquals(expected, found);
    assertTrue(eventNames.containsAll(List.of("GetCallerIdentity", "CreateUser", "AttachUserPolicy",
        "CreateAccessKey", "StopLogging")), eventNames.toString());
  }

  @Test
  void temporaryCredentialsComeInSessionsThatTheirIssuingCallsExplain() throws IOException {
    Path raw = Files.createTempDirectory("gen");
    Instant spanStart = Instant.parse("2026-02-01T00:00:00Z");
    Generator.with(new Configuration()).raw(raw.toString()).seed(5).events(4000).days(1).accounts(3)
        .start(LocalDate.of(2026, 2, 1)).flowRatio(0).findingsPerDay(0).execute();
    Set<String> issuingCalls = Set.of("AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity",
        "GetFederationToken", "GetSessionToken");
    Map<String, JsonNode> issued = new HashMap<>();
    List<JsonNode> used = new ArrayList<>();
    Set<String> issuingSeen = new HashSet<>();
    try (Stream<Path> s = Files.walk(raw.resolve("AWSLogs"))) {
      for (Path p : s.filter(x -> x.toString().contains("/CloudTrail/") && Files.isRegularFile(x)
          && !x.toString().contains("CloudTrail-Insight")).collect(Collectors.toList())) {
        for (JsonNode rec : gunzipJson(p).get("Records")) {
          String newKey = rec.path("responseElements").path("credentials").path("accessKeyId").asText("");
          if (issuingCalls.contains(rec.get("eventName").asText()) && newKey.startsWith("ASIA")) {
            JsonNode before = issued.put(newKey, rec);
            // a re-delivered record is the same event; a new event must bring a new key
            assertTrue(before == null || before.get("eventID").equals(rec.get("eventID")), newKey);
            issuingSeen.add(rec.get("eventName").asText());
          }
          if (rec.path("userIdentity").path("accessKeyId").asText("").startsWith("ASIA")) {
            used.add(rec);
          }
        }
      }
    }
    assertTrue(issuingSeen.containsAll(List.of("AssumeRole", "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity", "GetSessionToken")), issuingSeen.toString());
    Map<String, String> identityOfKey = new HashMap<>();
    Map<String, Set<String>> keysOfArn = new HashMap<>();
    int explained = 0;
    int chainedUses = 0;
    for (JsonNode rec : used) {
      JsonNode id = rec.get("userIdentity");
      String key = id.get("accessKeyId").asText();
      String created = id.path("sessionContext").path("attributes").path("creationDate").asText();
      String identity = id.path("arn").asText() + " " + created;
      String before = identityOfKey.putIfAbsent(key, identity);
      assertTrue(before == null || before.equals(identity),
          "every event of a session names the same principal and creation date: " + key + " " + before
              + " / " + identity);
      keysOfArn.computeIfAbsent(id.path("arn").asText(), k -> new HashSet<>()).add(key);
      Instant time = Instant.parse(rec.get("eventTime").asText());
      JsonNode issue = issued.get(key);
      if (issue == null) {
        // sessions already open when the span began were issued before it
        assertTrue(Instant.parse(created).isBefore(spanStart) || rec.get("sourceIPAddress").asText()
            .startsWith("203.0.113."), "a session that began in the span has its issuing call: " + rec);
        continue;
      }
      explained++;
      Instant issuedAt = Instant.parse(issue.get("eventTime").asText());
      assertEquals(issuedAt, Instant.parse(created), "the creation date is the issuing call's time");
      Instant expiration = CredentialSession.STS_EXPIRATION.parse(
          issue.get("responseElements").get("credentials").get("expiration").asText(), Instant::from);
      long seconds = expiration.getEpochSecond() - issuedAt.getEpochSecond();
      assertTrue(seconds >= 900 && seconds <= 43200, "a session lasts 15 minutes to 12 hours: " + seconds);
      assertTrue(!time.isBefore(issuedAt) && time.isBefore(expiration), "used while valid: " + rec);
      JsonNode assumed = issue.get("responseElements").path("assumedRoleUser").path("arn");
      if (!assumed.isMissingNode()) {
        assertEquals(assumed.asText(), id.get("arn").asText(), "the key belongs to the assumed role");
      }
      String source = id.path("sessionContext").path("sourceIdentity").asText("");
      if (!source.isEmpty()) {
        assertEquals(source, issue.get("requestParameters").get("sourceIdentity").asText());
        JsonNode caller = issue.get("userIdentity");
        if (caller.get("type").asText().equals("AssumedRole")) {
          // role chaining: the caller's own session was issued earlier and valid at the call
          chainedUses++;
          assertEquals(source, caller.path("sessionContext").path("sourceIdentity").asText(),
              "the source identity passes along the chain");
          JsonNode callerIssue = issued.get(caller.get("accessKeyId").asText());
          if (callerIssue != null) {
            assertTrue(!Instant.parse(callerIssue.get("eventTime").asText()).isAfter(issuedAt));
          }
        }
      }
    }
    assertTrue(explained > 100, "most session uses are explained by an issuing call: " + explained);
    assertTrue(chainedUses > 0, "some sessions are chained role sessions");
    assertTrue(keysOfArn.values().stream().anyMatch(k -> k.size() >= 4),
        "over a day a role's key rotates with its sessions: " + keysOfArn);
  }
}
