package io.trailkeep.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.conf.ConfException;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.RunHistoryTable;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The frame every job runs in: run history for failed runs too, unknown options rejected. */
class JobActionTest {

  @Test
  void aFailedRunLeavesAFailedRowInRunHistory() {
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-failed").toString());
    IngestJob job = IngestJob.into(lake).raw("/no/such/raw/root");
    ConfException e = assertThrows(ConfException.class, job::execute);
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    List<Row> rows = lake.read(RunHistoryTable.NAME).collectAsList();
    assertEquals(1, rows.size());
    Row r = rows.get(0);
    assertEquals("ingest", r.getString(r.fieldIndex("job")));
    assertEquals("failed", r.getString(r.fieldIndex("status")));
    assertEquals(ConfException.class.getName(), r.getString(r.fieldIndex("error_class")));
    assertEquals(e.getMessage(), r.getString(r.fieldIndex("error_message")));
    assertTrue(r.isNullAt(r.fieldIndex("result")));
    JsonNode options = Json.parse(r.getString(r.fieldIndex("options")));
    assertEquals("/no/such/raw/root", options.get("raw").asText());
    UUID.fromString(r.getString(r.fieldIndex("run_id")));
    assertEquals(TestSpark.get().sparkContext().applicationId(),
        r.getString(r.fieldIndex("application_id")));
  }

  @Test
  void aSucceededRunRecordsItsResultAndARandomRunId() {
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-ok").toString());
    Path raw = TestSpark.tempDir("raw-empty");
    Fixtures.writeGzip(raw, Fixtures.logKey(
        Fixtures.ACCOUNT, "us-east-1", "20260301T1005Z", "ONEFILE000000001"),
        Fixtures.body(List.of(Fixtures.record("e1",
            "2026-03-01T10:00:00Z", "DescribeVpcs"))));
    IngestJob.Result first = IngestJob.into(lake).raw(raw.toString()).execute();
    IngestJob.Result second = IngestJob.into(lake).raw(raw.toString()).execute();
    assertTrue(!first.runId().equals(second.runId()));
    Row r = lake.read(RunHistoryTable.NAME).filter(col("run_id").equalTo(first.runId())).first();
    assertEquals("succeeded", r.getString(r.fieldIndex("status")));
    JsonNode result = Json.parse(r.getString(r.fieldIndex("result")));
    assertEquals(1, result.get("rows_written").asLong());
    assertEquals(first.runId(), result.get("run_id").asText());
  }

  @Test
  void optionsOutsideTheJobsKeysAreRejected() {
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-opts").toString());
    ConfException e = assertThrows(ConfException.class,
        () -> IngestJob.into(lake).option("maintain.retention", "cloudtrail=1"));
    assertTrue(e.getMessage().startsWith("ingest has no option 'maintain.retention'"), e.getMessage());
    ConfException bad = assertThrows(ConfException.class,
        () -> IngestJob.into(lake).option("ingest.files-per-task", "0"));
    assertTrue(bad.getMessage().contains("ingest.files-per-task must be an integer from 1"),
        bad.getMessage());
  }

  /** A job that runs one Spark job of 8 tasks, then a second stage of 1, and waits for the events. */
  private static final class Probe extends JobAction<Probe, Probe.Result> {
    record Result(long rows) implements JobResult {
      @Override
      public String job() {
        return "probe";
      }
    }

    private final List<String> seen;
    private final int expectedLines;

    Probe(Lake lake, List<String> seen, int expectedLines) {
      super("probe", lake);
      this.seen = seen;
      this.expectedLines = expectedLines;
    }

    @Override
    protected List<io.trailkeep.conf.ConfKey<?>> keys() {
      return List.of();
    }

    @Override
    protected Result run(Run run) throws InterruptedException {
      long rows = lake().spark().range(0, 8000, 1, 8).count();
      // Spark's listener bus is asynchronous: give the last task events time to arrive
      for (int i = 0; i < 100 && seen.size() < expectedLines; i++) {
        Thread.sleep(50);
      }
      return new Result(rows);
    }

    @Override
    protected boolean recordsHistory() {
      return false;
    }
  }

  @Test
  void longSparkJobsReportTasksRecordsRateAndTimeLeftAndShortOnesStayQuiet() {
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-progress").toString());
    List<String> lines = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Probe probe = new Probe(lake, lines, 7);
    probe.progress(Progress.silent().withListener(lines::add).withSparkInterval(java.time.Duration.ZERO))
        .execute();
    // per Spark job (adaptive execution splits the count into two), every task but the last reports
    // (interval zero): 1..n-1 of n, its records only growing
    java.util.regex.Pattern line = java.util.regex.Pattern.compile(
        "probe: Spark job (\\d+): (\\d+)/(\\d+) tasks, (\\d+) records \\(\\d+/s\\), about \\d+(s|m\\d\\ds) left");
    java.util.Map<String, List<Integer>> done = new java.util.TreeMap<>();
    java.util.Map<String, Integer> totals = new java.util.TreeMap<>();
    java.util.Map<String, Long> records = new java.util.TreeMap<>();
    for (String l : lines) {
      java.util.regex.Matcher m = line.matcher(l);
      assertTrue(m.matches(), l);
      done.computeIfAbsent(m.group(1), k -> new java.util.ArrayList<>()).add(Integer.parseInt(m.group(2)));
      totals.put(m.group(1), Integer.parseInt(m.group(3)));
      long r = Long.parseLong(m.group(4));
      assertTrue(r >= records.getOrDefault(m.group(1), 0L), "records only grow: " + lines);
      records.put(m.group(1), r);
    }
    String first = done.keySet().iterator().next();
    assertTrue(totals.get(first) >= 8, "the 8 partitions' tasks at least: " + lines);
    assertEquals(java.util.stream.IntStream.range(1, totals.get(first)).boxed().toList(), done.get(first),
        lines.toString());
    // the 8 scan tasks read 1000 rows each; the job's last task goes unreported (interval zero
    // reports on each task's end, the job's end says nothing): with adaptive execution the count is
    // two jobs and the last scan task is that last one (7000); without (the test session), one job
    // of the 8 scan tasks and the aggregation's task, which is the last (8000)
    assertEquals(1000L * Math.min(totals.get(first) - 1, 8), records.get(first),
        "every scan task reported read its 1000 rows: " + lines);
    done.values().forEach(d -> assertEquals(java.util.stream.IntStream.rangeClosed(1, d.size()).boxed().toList(), d));
    List<String> quiet = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    new Probe(lake, quiet, 0).progress(Progress.silent().withListener(quiet::add)).execute();
    assertEquals(List.of(), quiet, "a job shorter than the 10-second default reports nothing");
  }
}
