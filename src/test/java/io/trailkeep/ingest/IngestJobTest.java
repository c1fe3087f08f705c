package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.delta.tables.DeltaTable;
import io.trailkeep.generate.Generator;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.schema.QuarantineTable;
import io.trailkeep.schema.RecordJson;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Ingest end to end on real Spark and real Delta tables in a local folder. */
class IngestJobTest {
  private final SparkSession spark = TestSpark.get();

  private static Generator.Result generate(Path raw, long events, long seed) {
    return Generator.with(new Configuration()).raw(raw.toString()).events(events).days(1).flowRatio(0).findingsPerDay(0)
        .accounts(2).seed(seed).start(LocalDate.of(2026, 5, 4)).execute();
  }

  private IngestJob.Result ingest(Lake lake, Path raw) {
    return IngestJob.into(lake).raw(raw.toString()).filesPerTask(16).execute();
  }

  @Test
  void generatedDataLandsCompletelyOnceAndRerunsAddNothing() {
    Path raw = TestSpark.tempDir("raw");
    Lake lake = new Lake(spark, TestSpark.tempDir("lake").toString());
    Generator.Result gen = generate(raw, 3000, 7);

    IngestJob.Result first = ingest(lake, raw);
    assertEquals(gen.events(), first.recordsRead());
    assertEquals(gen.duplicateRecords(), first.duplicatesDropped());
    assertEquals(gen.events() - gen.duplicateRecords(), first.rowsWritten());
    assertEquals(0, first.quarantined());
    assertEquals(gen.files(), first.filesIngested());
    assertEquals(gen.digestFiles(), first.filesSkipped(), "digests are routed apart");

    Dataset<Row> table = lake.read(CloudTrailTable.NAME).union(lake.read(CloudTrailTable.INSIGHTS_NAME));
    assertEquals(first.rowsWritten(), table.count());
    assertEquals(first.rowsWritten(), table.select("account_id", "eventID", "eventTime").distinct().count());
    Dataset<Row> before = spark.createDataFrame(lake.read(CloudTrailTable.NAME).collectAsList(),
        CloudTrailTable.SCHEMA);

    IngestJob.Result second = ingest(lake, raw);
    assertEquals(0, second.rowsWritten());
    assertEquals(0, second.filesIngested());
    // the second night lists only the recent window (lookback days, StartAfter the last key)
    assertTrue(second.filesSeen() < first.filesSeen(), second.filesSeen() + " of " + first.filesSeen());
    DataFrames.assertEqualIgnoringOrder(before, lake.read(CloudTrailTable.NAME));

    // a file delivered later is picked up, and a re-delivered event in it is dropped
    String known = lake.read(CloudTrailTable.NAME).select("eventID", "eventTime").limit(1)
        .collectAsList().get(0).getString(0);
    Row knownRow = lake.read(CloudTrailTable.NAME).filter(col("eventID").equalTo(known)).first();
    String redelivered = RecordJson.write(RecordJson.toJson(CloudTrailTable.RECORD, knownRow));
    Fixtures.writeGzip(raw, Fixtures.logKey(knownRow.getString(knownRow.fieldIndex("account_id")),
        "us-east-1", "20260505T0010Z", "LATEDELIVERY0001"), Fixtures.body(List.of(
            Fixtures.record("new-event-1", "2026-05-04T23:59:00Z", "DescribeVpcs"), redelivered)));
    IngestJob.Result third = ingest(lake, raw);
    assertEquals(1, third.filesIngested());
    assertEquals(2, third.recordsRead());
    assertEquals(1, third.rowsWritten());
    assertEquals(1, third.duplicatesDropped());
    assertEquals(before.count() + 1, lake.read(CloudTrailTable.NAME).count());
    assertEquals(1, lake.read(CloudTrailTable.NAME).filter(col("eventID").equalTo(known)).count());
  }

  /** A raw root with one of every kind of damage, plus good files around it. */
  private static Path damagedRoot() {
    Path raw = TestSpark.tempDir("raw-damaged");
    String a = Fixtures.ACCOUNT;
    String good = Fixtures.body(List.of(Fixtures.record("g1", "2026-03-01T10:00:00Z", "A"),
        Fixtures.record("g2", "2026-03-01T10:01:00Z", "B")));
    Fixtures.writeGzip(raw, Fixtures.logKey(a, "us-east-1", "20260301T1005Z", "GOODFILE00000001"), good);
    byte[] gz = Fixtures.gzip(Fixtures.body(List.of(Fixtures.record("c1", "2026-03-01T10:02:00Z", "C"),
        Fixtures.record("c2", "2026-03-01T10:03:00Z", "D"))).getBytes(StandardCharsets.UTF_8));
    Fixtures.writeBytes(raw, Fixtures.logKey(a, "us-east-1", "20260301T1010Z", "CORRUPTGZIP00001"),
        Arrays.copyOf(gz, gz.length / 2));
    Fixtures.writeBytes(raw, Fixtures.logKey(a, "us-east-1", "20260301T1015Z", "NOTGZIP000000001"),
        good.getBytes(StandardCharsets.UTF_8));
    Fixtures.writeGzip(raw, Fixtures.logKey(a, "us-east-1", "20260301T1020Z", "INVALIDJSON00001"),
        "{\"Records\":[" + Fixtures.record("i1", "2026-03-01T10:04:00Z", "E") + ",{\"eventTime\" 1}]}");
    String trunc = Fixtures.body(List.of(Fixtures.record("t1", "2026-03-01T10:05:00Z", "F"),
        Fixtures.record("t2", "2026-03-01T10:06:00Z", "G")));
    Fixtures.writeGzip(raw, Fixtures.logKey(a, "us-east-1", "20260301T1025Z", "TRUNCATED0000001"),
        trunc.substring(0, trunc.length() - 40));
    Fixtures.writeGzip(raw, Fixtures.logKey(a, "us-east-1", "20260301T1030Z", "NOTCLOUDTRAIL001"),
        "{\"hello\":\"world\"}");
    Fixtures.writeGzip(raw, Fixtures.logKey(a, "us-east-1", "20260301T1035Z", "NOEVENTTIME00001"),
        Fixtures.body(List.of(Fixtures.record("n1", "2026-03-01T10:07:00Z", "H"),
            Fixtures.record("n2", "x", "I").replace("\"eventTime\":\"x\",", ""))));
    Fixtures.writeGzip(raw, "AWSLogs/" + a + "/CloudTrail-Digest/us-east-1/2026/03/01/" + a
        + "_CloudTrail-Digest_us-east-1_trail_us-east-1_20260301T110000Z.json.gz", "{\"logFiles\":[]}");
    Fixtures.writeBytes(raw, "AWSLogs/" + a + "/CloudTrail/us-east-1/2026/03/01/readme.txt",
        "not a log".getBytes(StandardCharsets.UTF_8));
    return raw;
  }

  @Test
  void eachKindOfDamageIsQuarantinedAndTheRestLands() {
    Path raw = damagedRoot();
    Lake lake = new Lake(spark, TestSpark.tempDir("lake").toString());
    IngestJob.Result r = ingest(lake, raw);
    assertEquals(9, r.filesSeen());
    assertEquals(2, r.filesSkipped(), "digest and unrecognized file");
    // records: good 2 + corrupt-gzip prefix 0..2 + invalid 1 + truncated 1 + no-eventTime 1 landed
    List<String> landed = lake.read(CloudTrailTable.NAME).select("eventID").orderBy("eventID")
        .as(Encoders.STRING()).collectAsList();
    assertTrue(landed.containsAll(List.of("g1", "g2", "i1", "t1", "n1")), landed.toString());
    assertEquals(r.rowsWritten(), landed.size());

    Map<String, String> reasons = new HashMap<>();
    for (Row q : lake.read(QuarantineTable.nameFor("cloudtrail")).collectAsList()) {
      String file = q.getString(q.fieldIndex("source_file"));
      reasons.merge(file.substring(file.lastIndexOf('_') + 1), q.getString(q.fieldIndex("reason")),
          (x, y) -> x + " | " + y);
    }
    assertTrue(reasons.get("CORRUPTGZIP00001.json.gz").contains("corrupt gzip"), reasons.toString());
    assertTrue(reasons.get("NOTGZIP000000001.json.gz").contains("not in gzip format"));
    assertTrue(reasons.get("INVALIDJSON00001.json.gz").startsWith("invalid JSON"));
    assertTrue(reasons.get("TRUNCATED0000001.json.gz").startsWith("truncated JSON"));
    assertTrue(reasons.get("NOTCLOUDTRAIL001.json.gz").startsWith("not a CloudTrail log file"));
    assertEquals("record has no valid eventTime", reasons.get("NOEVENTTIME00001.json.gz"));
    assertEquals(6, reasons.size(), reasons.toString());
    assertEquals(r.quarantined(), lake.read(QuarantineTable.nameFor("cloudtrail")).count());

    Map<String, String> status = new HashMap<>();
    for (Row m : lake.read(ManifestTable.NAME).collectAsList()) {
      String p = m.getString(0);
      status.put(p.substring(p.lastIndexOf('/') + 1), m.getString(m.fieldIndex("status")));
    }
    assertEquals("ingested", status.get(Fixtures.ACCOUNT + "_CloudTrail_us-east-1_20260301T1005Z_GOODFILE00000001.json.gz"));
    assertEquals("quarantined", status.get(Fixtures.ACCOUNT + "_CloudTrail_us-east-1_20260301T1015Z_NOTGZIP000000001.json.gz"));
    assertEquals("partial", status.get(Fixtures.ACCOUNT + "_CloudTrail_us-east-1_20260301T1035Z_NOEVENTTIME00001.json.gz"));
    assertEquals("unrecognized", status.get("readme.txt"));
    assertEquals(9, status.size());

    IngestJob.Result again = ingest(lake, raw);
    assertEquals(0, again.quarantined());
    assertEquals(0, again.rowsWritten());
    assertEquals(r.quarantined(), lake.read(QuarantineTable.nameFor("cloudtrail")).count());
  }

  @Test
  void aCrashBeforeTheManifestCommitConvergesOnRerun() {
    Path raw = damagedRoot();
    // seed 13 delivers Insights files too, so the insights table is compared as well
    Generator.Result gen = generate(raw, 800, 13);
    assertTrue(gen.insightFiles() > 0, "the set has Insights files");
    Lake crashed = new Lake(spark, TestSpark.tempDir("lake-crashed").toString());
    Lake clean = new Lake(spark, TestSpark.tempDir("lake-clean").toString());
    ingest(clean, raw);
    ingest(crashed, raw);
    // the data and quarantine commits happened, the manifest commit did not
    DeltaTable.forPath(spark, crashed.pathOf(ManifestTable.NAME)).delete();
    IngestJob.Result rerun = ingest(crashed, raw);
    assertEquals(0, rerun.rowsWritten(), "nothing new lands");
    assertEquals(gen.files() + 9 - 2, rerun.filesIngested() + rerun.filesQuarantined());
    for (String t : List.of(CloudTrailTable.NAME, CloudTrailTable.INSIGHTS_NAME,
        QuarantineTable.nameFor("cloudtrail"))) {
      // run ids differ between any two runs; everything else must be equal
      DataFrames.assertEqualIgnoringOrder(clean.read(t).drop("run_id"), crashed.read(t).drop("run_id"));
    }
    Dataset<Row> paths = crashed.read(ManifestTable.NAME).select("path", "status", "records", "quarantined");
    DataFrames.assertEqualIgnoringOrder(
        clean.read(ManifestTable.NAME).select("path", "status", "records", "quarantined"), paths);
  }

  @Test
  void everyInputFieldIsRecoverableFromTheTable() {
    Path raw = TestSpark.tempDir("raw-lossless");
    String docs = Fixtures.docExamples();
    String identities = Fixtures.resource("/fixtures/identity-types.json");
    Fixtures.writeGzip(raw, Fixtures.logKey("123456789012", "us-east-1", "20260301T1005Z", "DOCEXAMPLES00001"), docs);
    Fixtures.writeGzip(raw, Fixtures.logKey("444455556666", "eu-west-1", "20260301T1005Z", "IDENTITIES000001"), identities);
    Lake lake = new Lake(spark, TestSpark.tempDir("lake").toString());
    IngestJob.Result r = ingest(lake, raw);
    assertEquals(1, r.quarantined(), "only the doc fragment without eventTime");
    assertEquals(0, r.duplicatesDropped());
    assertEquals(2, r.keyConflicts(), "two doc examples reuse an eventID with other content");
    Map<String, JsonNode> byKey = new HashMap<>();
    for (Row row : lake.read(CloudTrailTable.NAME).collectAsList()) {
      String key = row.getString(row.fieldIndex("source_file")) + "#" + row.getInt(row.fieldIndex("source_position"));
      byKey.put(key, RecordJson.toJson(CloudTrailTable.RECORD, row));
    }
    int checked = 0;
    for (String[] f : new String[][] {{"DOCEXAMPLES00001", docs}, {"IDENTITIES000001", identities}}) {
      JsonNode input = RecordJson.parse(f[1]).get("Records");
      for (int i = 0; i < input.size(); i++) {
        String k = null;
        for (String key : byKey.keySet()) {
          if (key.contains(f[0]) && key.endsWith("#" + i)) {
            k = key;
          }
        }
        if (k == null) {
          assertTrue(!input.get(i).has("eventTime"), "only the fragment may be missing");
          continue;
        }
        assertEquals(input.get(i), byKey.get(k), f[0] + " record " + i);
        checked++;
      }
    }
    assertEquals(28 + 14, checked);
  }
}
