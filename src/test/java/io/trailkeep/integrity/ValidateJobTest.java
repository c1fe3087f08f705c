package io.trailkeep.integrity;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trailkeep.cli.CliRunner;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.IntegrityTable;
import io.trailkeep.storage.AwsLogKeys;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Digest validation on a generated raw root and on tampered copies of it: each kind of tampering
 * is reported exactly, with nothing else reported.
 */
class ValidateJobTest {
  private static Path pristine;
  private static Generator.Result gen;

  @BeforeAll
  static void generate() {
    pristine = TestSpark.tempDir("raw-validate");
    // seed 93's account has a second, quiet region whose hours without log files get empty
    // digests (its home region logs the hourly STS session calls, so every hour has files there)
    gen = Generator.with(new Configuration()).raw(pristine.toString()).events(300).days(1)
        .accounts(1).flowRatio(0).findingsPerDay(0).seed(93).start(LocalDate.of(2026, 9, 10))
        .scenarios(List.of()).lateLogRate(0).execute();
  }

  private static Path copy() {
    Path dst = TestSpark.tempDir("raw-tampered");
    try (Stream<Path> s = Files.walk(pristine)) {
      for (Path p : s.collect(Collectors.toList())) {
        Path t = dst.resolve(pristine.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dst;
  }

  private static ValidateJob.Result validate(Path raw) {
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-validate").toString());
    return ValidateJob.on(lake).raw(raw.toString())
        .publicKeys(raw.resolve("cloudtrail-public-keys.json").toString()).execute();
  }

  /** The problems reported, as "verdict key" or "verdict from..to" lines. */
  private static Set<String> problems(ValidateJob.Result r) {
    Set<String> out = new TreeSet<>();
    for (Map<String, String> p : r.problems()) {
      out.add(p.get("verdict") + " " + (p.containsKey("key") ? p.get("key")
          : p.get("from") + ".." + p.get("to")));
    }
    assertEquals(r.problemCount(), out.size());
    return out;
  }

  private static List<Path> files(Path raw, String service, String suffix) {
    try (Stream<Path> s = Files.walk(raw.resolve("AWSLogs"))) {
      return s.filter(p -> p.toString().contains("/" + service + "/") && p.toString().endsWith(suffix))
          .sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Digests of one region, in chain order (their names end with the end time). */
  private static List<Path> chain(Path raw) {
    Map<String, List<Path>> byRegion = new TreeMap<>();
    for (Path d : files(raw, "CloudTrail-Digest", ".json.gz")) {
      byRegion.computeIfAbsent(d.getParent().getParent().getParent().getParent().toString(),
          k -> new ArrayList<>()).add(d);
    }
    return byRegion.values().iterator().next();
  }

  private static String key(Path raw, Path p) {
    return raw.relativize(p).toString();
  }

  private static ObjectNode digestBody(Path digest) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(digest))) {
      return (ObjectNode) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> listedLogs(Path digest) {
    List<String> out = new ArrayList<>();
    digestBody(digest).path("logFiles").forEach(f -> out.add(f.path("s3Object").asText()));
    return out;
  }

  /** The index of a digest in the chain's middle that lists log files, and whose successor too. */
  private static int middle(List<Path> chain) {
    for (int i = chain.size() / 2; i < chain.size() - 2; i++) {
      if (!listedLogs(chain.get(i)).isEmpty() && !listedLogs(chain.get(i + 1)).isEmpty()) {
        return i;
      }
    }
    throw new AssertionError("no busy digest");
  }

  @Test
  void aPristineRootIsValidThroughoutIncludingEmptyDigests() {
    ValidateJob.Result r = validate(pristine);
    assertEquals(Set.of(), problems(r));
    assertEquals(gen.digestFiles(), r.digestsChecked());
    assertEquals(gen.files() - gen.insightFiles(), r.logsChecked());
    assertEquals(r.digestsChecked() + r.logsChecked(), r.verdicts().get("valid"));
    long empty = files(pristine, "CloudTrail-Digest", ".json.gz").stream()
        .filter(d -> listedLogs(d).isEmpty()).count();
    assertTrue(empty > 0, "hours without log files have a digest with empty logFiles");
  }

  @Test
  void aModifiedLogIsReportedAndNothingElse() throws IOException {
    Path raw = copy();
    Path log = files(raw, "CloudTrail", ".json.gz").get(3);
    Fixtures.writeGzip(raw, key(raw, log), Fixtures.body(List.of(Fixtures.record("forged",
        "2026-09-10T10:00:00Z", "ConsoleLogin"))));
    assertEquals(Set.of("modified_log " + key(raw, log)), problems(validate(raw)));
  }

  @Test
  void aDeletedLogIsReportedAndNothingElse() throws IOException {
    Path raw = copy();
    Path log = files(raw, "CloudTrail", ".json.gz").get(5);
    Files.delete(log);
    assertEquals(Set.of("missing_log " + key(raw, log)), problems(validate(raw)));
  }

  @Test
  void aDeletedDigestIsReportedWithTheLogsOnlyItListed() throws IOException {
    Path raw = copy();
    List<Path> chain = chain(raw);
    Path gone = chain.get(middle(chain));
    Set<String> expected = new TreeSet<>();
    expected.add("missing_digest " + key(raw, gone));
    listedLogs(gone).forEach(l -> expected.add("unlisted_log " + l));
    Files.delete(gone);
    Files.delete(Path.of(gone + AwsLogKeys.DIGEST_SIDECAR_SUFFIX));
    assertEquals(expected, problems(validate(raw)));
  }

  @Test
  void twoConsecutiveDeletedDigestsAreBothFound() throws IOException {
    Path raw = copy();
    List<Path> chain = chain(raw);
    int i = middle(chain);
    Path first = chain.get(i);
    Path second = chain.get(i + 1);
    ObjectNode firstBody = digestBody(first);
    Set<String> expected = new TreeSet<>();
    // the later one is named by its successor; the earlier one only shows as a gap in time
    expected.add("missing_digest " + key(raw, second));
    expected.add("missing_digest " + firstBody.get("digestStartTime").asText() + ".."
        + firstBody.get("digestEndTime").asText());
    for (Path p : List.of(first, second)) {
      listedLogs(p).forEach(l -> expected.add("unlisted_log " + l));
      Files.delete(p);
      Files.delete(Path.of(p + AwsLogKeys.DIGEST_SIDECAR_SUFFIX));
    }
    assertEquals(expected, problems(validate(raw)));
  }

  /** A raw root whose trail also wrote backfill digests: a share of its logs arrived late. */
  private static Path withBackfill() {
    Path raw = TestSpark.tempDir("raw-backfill");
    Generator.Result g = Generator.with(new Configuration()).raw(raw.toString()).events(300).days(1)
        .accounts(1).flowRatio(0).findingsPerDay(0).seed(93).start(LocalDate.of(2026, 9, 10))
        .scenarios(List.of()).lateLogRate(0.25).execute();
    assertTrue(g.backfillDigestFiles() >= 4, "backfill digests: " + g.backfillDigestFiles());
    return raw;
  }

  private static List<Path> backfills(Path raw) {
    return files(raw, "CloudTrail-Digest", "_backfill.json.gz");
  }

  @Test
  void backfillDigestsValidateAndTamperingInThemIsFound() throws IOException {
    Path raw = withBackfill();
    List<Path> backfills = backfills(raw);
    Set<String> late = new TreeSet<>();
    backfills.forEach(b -> late.addAll(listedLogs(b)));
    // the hourly digests leave the late logs out; only the backfill digests list them
    for (Path d : files(raw, "CloudTrail-Digest", ".json.gz")) {
      if (!backfills.contains(d)) {
        assertTrue(java.util.Collections.disjoint(late, listedLogs(d)), d.toString());
      }
    }
    ValidateJob.Result r = validate(raw);
    assertEquals(Set.of(), problems(r));
    assertEquals(files(raw, "CloudTrail-Digest", ".json.gz").size(), r.digestsChecked());
    // each backfill digest names the one before it, and carries when it was generated
    ObjectNode second = digestBody(backfills.get(1));
    assertEquals(key(raw, backfills.get(0)), second.get("previousDigestS3Object").asText());
    assertTrue(Files.readString(Path.of(backfills.get(1) + AwsLogKeys.DIGEST_SIDECAR_SUFFIX))
        .contains("\"x-amz-meta-" + DigestSignature.META_BACKFILL_GENERATED + "\" : \"2026-09-1"));

    // a late log changed, a backfill digest changed without re-signing, another deleted
    Path lateLog = raw.resolve(listedLogs(backfills.get(0)).get(0));
    Fixtures.writeGzip(raw, key(raw, lateLog), "{\"Records\":[]}");
    Path edited = backfills.get(1);
    ObjectNode body = digestBody(edited);
    body.put("digestStartTime", "2026-09-10T00:00:00Z");
    Fixtures.writeGzip(raw, key(raw, edited), Json.write(body));
    Path gone = backfills.get(2);
    Set<String> expected = new TreeSet<>();
    expected.add("modified_log " + key(raw, lateLog));
    expected.add("bad_signature " + key(raw, edited));
    expected.add("missing_digest " + key(raw, gone));
    listedLogs(gone).forEach(l -> expected.add("unlisted_log " + l));
    Files.delete(gone);
    Files.delete(Path.of(gone + AwsLogKeys.DIGEST_SIDECAR_SUFFIX));
    assertEquals(expected, problems(validate(raw)));
  }

  @Test
  void aDigestModifiedWithoutResigningHasABadSignature() throws IOException {
    Path raw = copy();
    List<Path> chain = chain(raw);
    Path d = chain.get(middle(chain));
    ObjectNode body = digestBody(d);
    ((ObjectNode) body.path("logFiles").get(0)).put("newestEventTime", "2026-09-10T23:59:59Z");
    Fixtures.writeGzip(raw, key(raw, d), Json.write(body));
    assertEquals(Set.of("bad_signature " + key(raw, d)), problems(validate(raw)));
  }

  @Test
  void aDigestSignedWithAnUnknownKeyIsReported() throws Exception {
    Path raw = copy();
    List<Path> chain = chain(raw);
    Path newest = chain.get(chain.size() - 1);
    ObjectNode body = digestBody(newest);
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair other = g.generateKeyPair();
    body.put("digestPublicKeyFingerprint",
        DigestSignature.fingerprint(DigestSignature.pkcs1((RSAPublicKey) other.getPublic())));
    byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
    String signature = DigestSignature.sign(other.getPrivate(), DigestSignature.signingString(
        body.get("digestEndTime").asText(), body.get("digestS3Bucket").asText(),
        body.get("digestS3Object").asText(), bytes, body.path("previousDigestSignature").asText(null)));
    Fixtures.writeBytes(raw, key(raw, newest), Fixtures.gzip(bytes));
    Fixtures.writeBytes(raw, key(raw, newest) + AwsLogKeys.DIGEST_SIDECAR_SUFFIX,
        Json.write(Map.of("x-amz-meta-signature", signature, "x-amz-meta-signature-algorithm",
            "SHA256withRSA")).getBytes(StandardCharsets.UTF_8));
    assertEquals(Set.of("unknown_key " + key(raw, newest)), problems(validate(raw)));
  }

  @Test
  void anUnlistedLogIsReportedAndALogNewerThanEveryDigestIsPending() {
    Path raw = copy();
    List<Path> chain = chain(raw);
    ObjectNode last = digestBody(chain.get(chain.size() - 1));
    String account = last.get("awsAccountId").asText();
    String region = chain.get(0).getParent().getParent().getParent().getParent().getFileName().toString();
    String org = key(raw, chain.get(0)).split("/")[1];
    Instant midday = Instant.parse("2026-09-10T12:02:00Z");
    String planted = AwsLogKeys.cloudTrailLog(org, account, region, midday, "PLANTED000000001");
    Fixtures.writeGzip(raw, planted, Fixtures.body(List.of(Fixtures.record("planted",
        "2026-09-10T12:00:00Z", "DeleteTrail"))));
    Instant late = Instant.parse(last.get("digestEndTime").asText()).plusSeconds(600);
    String pending = AwsLogKeys.cloudTrailLog(org, account, region, late, "NOTYETDIGESTED01");
    Fixtures.writeGzip(raw, pending, Fixtures.body(List.of(Fixtures.record("recent",
        late.minusSeconds(30).toString(), "ListBuckets"))));
    ValidateJob.Result r = validate(raw);
    assertEquals(Set.of("unlisted_log " + planted), problems(r));
    assertEquals(1L, r.verdicts().get("pending"));
  }

  @Test
  void verdictsGoToTheIntegrityTable() {
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-integrity").toString());
    ValidateJob.Result r = ValidateJob.on(lake).raw(pristine.toString())
        .publicKeys(pristine.resolve("cloudtrail-public-keys.json").toString()).execute();
    List<Row> rows = lake.read(IntegrityTable.NAME).collectAsList();
    assertEquals(r.digestsChecked() + r.logsChecked(), rows.size());
    Set<String> items = new HashSet<>();
    for (Row row : rows) {
      assertEquals(r.runId(), row.getString(row.fieldIndex("run_id")));
      items.add(row.getString(row.fieldIndex("item")));
    }
    assertEquals(Set.of("log", "digest"), items);
    assertEquals(0, lake.read(IntegrityTable.NAME).filter(col("verdict").notEqual("valid")).count());
  }

  @Test
  void theManifestShowsEachIngestedFilesLatestVerdict() throws IOException {
    Path raw = copy();
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-manifest-verdict").toString());
    IngestJob.into(lake).raw(raw.toString()).execute();
    Path log = files(raw, "CloudTrail", ".json.gz").get(2);
    Fixtures.writeGzip(raw, key(raw, log), Fixtures.body(List.of(Fixtures.record("forged",
        "2026-09-10T10:00:00Z", "ConsoleLogin"))));
    ValidateJob.Result r = ValidateJob.on(lake).raw(raw.toString())
        .publicKeys(raw.resolve("cloudtrail-public-keys.json").toString()).execute();
    Map<String, String> verdicts = new TreeMap<>();
    for (Row row : lake.read("ingest_manifest").filter(col("kind").equalTo("cloudtrail"))
        .select("path", "integrity_verdict", "integrity_run_id").collectAsList()) {
      verdicts.put(row.getString(0).replaceAll(".*/", ""), row.getString(1));
      assertEquals(r.runId(), row.getString(2));
    }
    assertEquals(gen.files() - gen.insightFiles(), verdicts.size());
    assertEquals("modified_log", verdicts.get(log.getFileName().toString()));
    assertEquals(verdicts.size() - 1, verdicts.values().stream().filter("valid"::equals).count());
  }

  @Test
  void theCommandExitsThreeWhenItFindsProblems() throws IOException {
    Path raw = copy();
    String keys = raw.resolve("cloudtrail-public-keys.json").toString();
    String lake = TestSpark.tempDir("lake-validate-cli").toString();
    CliRunner.Run ok = CliRunner.run("validate", "--raw",
        raw.toString(), "--lake", lake, "--new-lake", "--public-keys", keys, "--json");
    assertEquals(0, ok.code(), ok.err());
    JsonNode s = Json.parse(ok.lastLine());
    for (String v : IntegrityTable.VERDICTS) {
      assertTrue(s.get("verdicts").has(v), v);
    }
    assertEquals(0, s.get("problems").size());
    Files.delete(files(raw, "CloudTrail", ".json.gz").get(0));
    CliRunner.Run bad = CliRunner.run("validate", "--raw",
        raw.toString(), "--lake", lake, "--public-keys", keys, "--json");
    assertEquals(3, bad.code(), bad.err());
    JsonNode b = Json.parse(bad.lastLine());
    assertEquals(1, b.get("verdicts").get("missing_log").asLong());
    assertEquals("missing_log", b.get("problems").get(0).get("verdict").asText());
    CliRunner.Run usage = CliRunner.run("validate", "--raw",
        raw.toString(), "--lake", lake, "--public-keys", "/no/such/keys.json");
    assertEquals(2, usage.code());
    assertTrue(usage.err().contains("public key file /no/such/keys.json does not exist"), usage.err());
  }

  @Test
  void theGuidesExampleDigestsParse() {
    JsonNode examples = Json.parse(Fixtures.resource("/fixtures/aws-doc-examples/cloudtrail_doc_digests.json"));
    List<DigestFile> parsed = new ArrayList<>();
    for (JsonNode e : examples) {
      parsed.add(DigestFile.parse(Json.write(e).getBytes(StandardCharsets.UTF_8)));
    }
    DigestFile one = parsed.get(0);
    assertEquals("111122223333", one.accountId());
    assertEquals(Instant.parse("2015-08-17T15:01:31Z"), one.end());
    assertEquals("31e8b5433410dfb61a9dc45cc65b22ff", one.fingerprint());
    assertEquals(1, one.logFiles().size());
    assertEquals("9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6",
        one.logFiles().get(0).sha256());
    assertTrue(!one.starting());
    DigestFile empty = parsed.get(1);
    assertEquals(List.of(), empty.logFiles());
    assertEquals(AwsLogKeys.Kind.CLOUDTRAIL_DIGEST, AwsLogKeys.parse(one.objectKey()).kind());
  }

  @Test
  void signingStringAndKeysRoundTrip() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();
    byte[] pkcs1 = DigestSignature.pkcs1((RSAPublicKey) pair.getPublic());
    assertEquals(pair.getPublic(), DigestSignature.publicKey(pkcs1));
    String s = DigestSignature.signingString("2015-08-17T15:01:31Z", "b", "k", new byte[] {1}, null);
    assertTrue(s.endsWith("\nnull"), "a starting digest signs the literal null");
    String sig = DigestSignature.sign(pair.getPrivate(), s);
    assertTrue(DigestSignature.verify(DigestSignature.publicKey(pkcs1), s, sig));
    assertTrue(!DigestSignature.verify(DigestSignature.publicKey(pkcs1), s + " ", sig));
    assertTrue(!DigestSignature.verify(DigestSignature.publicKey(pkcs1), s, "zz"));
  }
}
