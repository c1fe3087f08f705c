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
}
