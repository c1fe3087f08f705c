package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.delta.tables.DeltaTable;
import io.trailkeep.ingest.cloudtrail.CloudTrailFormat;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.schema.QuarantineTable;
import io.trailkeep.storage.RawFile;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Nothing lost, nothing doubled: records without a complete natural key, late files the nightly
 * window cannot see, our own bugs, and quarantine that a fixed parser can replay.
 */
class IngestReliabilityTest {
  private final SparkSession spark = TestSpark.get();

  private static long withoutEventId(JsonNode records) {
    long n = 0;
    for (JsonNode r : records) {
      n += r.has("eventID") ? 0 : 1;
    }
    return n;
  }

  @Test
  void recordsWithoutEventIdLandOnceAcrossReruns() throws IOException {
    Path raw = TestSpark.tempDir("raw-no-event-id");
    String docs = Fixtures.docExamples();
    // seven records of the AWS examples have no eventID; one of them has no eventTime either and
    // goes to quarantine, the other six land
    assertEquals(7, withoutEventId(Json.parse(docs).get("Records")));
    String key = Fixtures.logKey("123456789012", "us-east-1", "20260301T1005Z", "DOCEXAMPLES00001");
    Fixtures.writeGzip(raw, key, docs);
    Lake lake = new Lake(spark, TestSpark.tempDir("lake-no-event-id").toString());
    IngestJob.Result first = IngestJob.into(lake).raw(raw.toString()).execute();
    Dataset<Row> after = spark.createDataFrame(lake.read(CloudTrailTable.NAME).collectAsList(),
        CloudTrailTable.SCHEMA);
    assertEquals(6, after.filter(col("eventID").isNull()).count());

    // a crash after the data commit: the manifest never saw the file, so the rerun reads it again
    DeltaTable.forPath(spark, lake.pathOf(ManifestTable.NAME)).delete();
    IngestJob.Result rerun = IngestJob.into(lake).raw(raw.toString()).execute();
    assertEquals(0, rerun.rowsWritten());
    assertEquals(first.rowsWritten(), rerun.duplicatesDropped());
    DataFrames.assertEqualIgnoringOrder(after, lake.read(CloudTrailTable.NAME));

    // the same file delivered again under another key
    Fixtures.writeGzip(raw, Fixtures.logKey("123456789012", "us-east-1", "20260301T1010Z",
        "REDELIVERED00001"), docs);
    IngestJob.Result redelivered = IngestJob.into(lake).raw(raw.toString()).execute();
    assertEquals(1, redelivered.filesIngested());
    assertEquals(0, redelivered.rowsWritten());
    assertEquals(6, lake.read(CloudTrailTable.NAME).filter(col("eventID").isNull()).count());
    assertEquals(after.count(), lake.read(CloudTrailTable.NAME).count());
  }

  @Test
  void aLateFileWithAnEarlierKeyIsMissedIncrementallyAndFoundByReconcile() {
    Path raw = TestSpark.tempDir("raw-late");
    String a = Fixtures.ACCOUNT;
    int n = 0;
    for (String stamp : new String[] {"20260301T1005Z", "20260302T1005Z", "20260305T0905Z",
        "20260305T1205Z"}) {
      n++;
      Fixtures.writeGzip(raw, Fixtures.logKey(a, "us-east-1", stamp, "ONTIME" + String.format("%010d", n)),
          Fixtures.body(List.of(Fixtures.record("e" + n, stamp.substring(0, 4) + "-"
              + stamp.substring(4, 6) + "-" + stamp.substring(6, 8) + "T09:00:00Z", "ListBuckets"))));
    }
    Lake lake = new Lake(spark, TestSpark.tempDir("lake-late").toString());
    assertEquals(4, IngestJob.into(lake).raw(raw.toString()).execute().filesIngested());
    // delivered late: one into the newest day with a key two hours before its newest file (the
    // nightly listing starts one hour before that), one into a day older than the lookback
    Fixtures.writeGzip(raw, Fixtures.logKey(a, "us-east-1", "20260305T1000Z", "LATEINDAY0000001"),
        Fixtures.body(List.of(Fixtures.record("late-1", "2026-03-05T09:58:00Z", "GetObject"))));
    Fixtures.writeGzip(raw, Fixtures.logKey(a, "us-east-1", "20260301T2300Z", "LATEOLDDAY000001"),
        Fixtures.body(List.of(Fixtures.record("late-2", "2026-03-01T22:59:00Z", "GetObject"))));
    // and one the nightly run does see: in the newest day, after its newest file
    Fixtures.writeGzip(raw, Fixtures.logKey(a, "us-east-1", "20260305T2300Z", "NEWFILE000000001"),
        Fixtures.body(List.of(Fixtures.record("new-1", "2026-03-05T22:59:00Z", "GetObject"))));

    IngestJob.Result nightly = IngestJob.into(lake).raw(raw.toString()).execute();
    assertEquals(1, nightly.filesIngested(), "the nightly window sees only the newest file");
    assertEquals(0, lake.read(CloudTrailTable.NAME).filter(col("eventID").startsWith("late")).count());

    IngestJob.Result reconcile = IngestJob.into(lake).raw(raw.toString()).reconcile(null, null).execute();
    assertEquals("reconcile", reconcile.mode());
    assertEquals(2, reconcile.filesIngested());
    assertEquals(2, reconcile.filesMissedByIncremental());
    assertEquals(2, reconcile.rowsWritten());
    assertEquals(7, lake.read(CloudTrailTable.NAME).count());
    IngestJob.Result again = IngestJob.into(lake).raw(raw.toString()).reconcile(
        LocalDate.of(2026, 3, 1), LocalDate.of(2026, 3, 5)).execute();
    assertEquals(0, again.filesIngested());
    assertEquals(0, again.filesMissedByIncremental());
  }

  /** A parser with a bug that throws on one file (a NullPointerException is our bug, not data). */
  private static final class BuggyCloudTrail implements SourceFormat {
    private static final long serialVersionUID = 1L;
    private final CloudTrailFormat real = new CloudTrailFormat();

    @Override
    public void parse(RawFile file, byte[] bytes, int length, RecordSink sink) {
      if (file.path.contains("BUGGY")) {
        Object missing = null;
        missing.hashCode();
      }
      real.parse(file, bytes, length, sink);
    }

    @Override
    public String source() {
      return real.source();
    }

    @Override
    public boolean accepts(RawFile file) {
      return real.accepts(file);
    }

    @Override
    public String tableFor(RawFile file) {
      return real.tableFor(file);
    }

    @Override
    public StructType schema() {
      return real.schema();
    }

    @Override
    public String partitionColumn() {
      return real.partitionColumn();
    }

    @Override
    public List<String> dedupKey() {
      return real.dedupKey();
    }

    @Override
    public List<String> contentColumns() {
      return real.contentColumns();
    }

    @Override
    public Map<String, String> tableProperties() {
      return real.tableProperties();
    }
  }

  @Test
  void aFileOurCodeFailsOnIsNotMarkedDoneAndLandsOnTheNextRun() {
    Path raw = TestSpark.tempDir("raw-bug");
    Fixtures.writeGzip(raw, Fixtures.logKey(Fixtures.ACCOUNT, "us-east-1", "20260301T1005Z",
        "GOODFILE00000001"), Fixtures.body(List.of(Fixtures.record("g1", "2026-03-01T10:00:00Z", "A"))));
    Fixtures.writeGzip(raw, Fixtures.logKey(Fixtures.ACCOUNT, "us-east-1", "20260301T1010Z",
        "BUGGYFILE0000001"), Fixtures.body(List.of(Fixtures.record("b1", "2026-03-01T10:05:00Z", "B"),
            Fixtures.record("b2", "2026-03-01T10:06:00Z", "C"))));
    Lake lake = new Lake(spark, TestSpark.tempDir("lake-bug").toString());
    IngestJob.Result failed = IngestJob.into(lake).raw(raw.toString()).format(new BuggyCloudTrail())
        .execute();
    assertEquals("partial", failed.status());
    assertEquals(1, failed.filesFailed());
    assertEquals(1, failed.filesIngested(), "the other file lands");
    assertEquals(1, failed.rowsWritten());
    assertEquals(0, failed.quarantined(), "a bug is not bad data");
    assertTrue(failed.failedFiles().get(0).contains("BUGGYFILE0000001"));
    Row state = Manifest.latest(lake).filter(col("path").contains("BUGGY")).first();
    assertEquals("failed", state.getString(state.fieldIndex("status")));
    assertTrue(state.getString(state.fieldIndex("error")).contains("NullPointerException"));
    assertEquals(0, lake.read(CloudTrailTable.NAME).filter(col("eventID").startsWith("b")).count());
    Row history = lake.read("run_history").filter(col("run_id").equalTo(failed.runId())).first();
    assertEquals("partial", history.getString(history.fieldIndex("status")));

    IngestJob.Result fixed = IngestJob.into(lake).raw(raw.toString()).execute();
    assertEquals(1, fixed.filesIngested());
    assertEquals(2, fixed.rowsWritten());
    assertEquals("succeeded", fixed.status());
    Row now = Manifest.latest(lake).filter(col("path").contains("BUGGY")).first();
    assertEquals("ingested", now.getString(now.fieldIndex("status")));
    assertEquals(0, IngestJob.into(lake).raw(raw.toString()).execute().filesIngested());
  }

  @Test
  void quarantinedFilesLandAfterRetryOnceTheParserAcceptsThem() throws IOException {
    Path raw = TestSpark.tempDir("raw-retry");
    List<String> big = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      big.add(Fixtures.record("big-" + i, "2026-03-01T10:00:00Z", "GetObject"));
    }
    Fixtures.writeGzip(raw, Fixtures.logKey(Fixtures.ACCOUNT, "us-east-1", "20260301T1005Z",
        "LARGEFILE0000001"), Fixtures.body(big));
    String whole = Fixtures.body(List.of(Fixtures.record("t1", "2026-03-01T10:05:00Z", "F"),
        Fixtures.record("t2", "2026-03-01T10:06:00Z", "G")));
    String truncatedKey = Fixtures.logKey(Fixtures.ACCOUNT, "us-east-1", "20260301T1010Z",
        "TRUNCATED0000001");
    Fixtures.writeGzip(raw, truncatedKey, whole.substring(0, whole.length() - 40));
    Lake lake = new Lake(spark, TestSpark.tempDir("lake-retry").toString());
    IngestJob.Result first = IngestJob.into(lake).raw(raw.toString()).maxFileBytes(16 * 1024)
        .execute();
    // both files are partial: the records before the size limit and before the cut land
    assertEquals(2, first.filesIngested());
    long landedOfLarge = first.rowsWritten() - 1;
    assertTrue(landedOfLarge > 0 && landedOfLarge < 40, "some of the large file: " + landedOfLarge);
    Dataset<Row> q = lake.read(QuarantineTable.nameFor("cloudtrail"));
    assertTrue(q.count() >= 2, "the size limit and the truncation are quarantined");
    for (Row r : q.collectAsList()) {
      // every quarantine row can find its bytes again, even with its raw text cut
      assertTrue(r.getString(r.fieldIndex("source_file")).endsWith(".json.gz"));
      assertTrue(!r.isNullAt(r.fieldIndex("byte_offset")) && !r.isNullAt(r.fieldIndex("byte_length")),
          r.toString());
    }

    // the operator raises the limit and the truncated object is delivered whole again
    Fixtures.writeGzip(raw, truncatedKey, whole);
    IngestJob.Result retry = IngestJob.into(lake).raw(raw.toString()).retryQuarantined(null, null)
        .maxFileBytes(1 << 20).execute();
    assertEquals("retry-quarantined", retry.mode());
    assertEquals(2, retry.filesRetried());
    assertEquals(40 - landedOfLarge + 1, retry.rowsWritten(), "the rest of the large file and t2");
    assertEquals(landedOfLarge + 1, retry.duplicatesDropped(), "what had landed already");
    assertEquals(0, retry.quarantined());
    assertEquals(0, lake.read(QuarantineTable.nameFor("cloudtrail")).count(), "resolved items leave quarantine");
    assertEquals(42, lake.read(CloudTrailTable.NAME).count());
    Map<String, String> states = new TreeMap<>();
    for (Row r : Manifest.latest(lake).collectAsList()) {
      states.put(r.getString(r.fieldIndex("path")).replaceAll(".*_", ""), r.getString(r.fieldIndex("status")));
    }
    assertEquals(Map.of("LARGEFILE0000001.json.gz", "ingested", "TRUNCATED0000001.json.gz", "ingested"), states);
    IngestJob.Result nothing = IngestJob.into(lake).raw(raw.toString()).retryQuarantined(null, null).execute();
    assertEquals(0, nothing.filesRetried());
  }
}
