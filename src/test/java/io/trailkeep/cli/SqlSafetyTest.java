package io.trailkeep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.ingest.IngestJob;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The analyst's prompt is read-only by default, and hostile log content stays inert on a terminal. */
class SqlSafetyTest {
  private static final String ESC = "\u001b";
  /** A userAgent that recolours the terminal and hides the rest of the line. */
  private static final String HOSTILE = ESC + "[31mred" + ESC + "[8m hidden" + ESC + "]0;title\u0007";
  private static Path lake;

  @BeforeAll
  static void lakeWithAHostileUserAgent() {
    SparkSession spark = TestSpark.get();
    Path raw = TestSpark.tempDir("raw-hostile");
    String hostile = Fixtures.record("h1", "2026-03-01T10:00:00Z", "GetObject")
        .replace("\"userAgent\":\"aws-cli/2\"", "\"userAgent\":\"" + HOSTILE.replace(ESC, "\\u001b")
            .replace("\u0007", "\\u0007") + "\"");
    Fixtures.writeGzip(raw, Fixtures.logKey(Fixtures.ACCOUNT, "us-east-1", "20260301T1005Z",
        "HOSTILE000000001"), Fixtures.body(List.of(hostile,
            Fixtures.record("h2", "2026-03-01T10:01:00Z", "ListBuckets"))));
    lake = TestSpark.tempDir("lake-hostile");
    IngestJob.into(new Lake(spark, lake.toString())).raw(raw.toString()).execute();
  }

  private static long rows() {
    return new Lake(TestSpark.get(), lake.toString()).read(CloudTrailTable.NAME).count();
  }

  @Test
  void writesAreRefusedUnlessAllowedAndNothingRuns() {
    for (String write : new String[] {"DELETE FROM cloudtrail", "UPDATE cloudtrail SET eventName = 'x'",
        "INSERT INTO cloudtrail SELECT * FROM cloudtrail",
        "MERGE INTO cloudtrail t USING cloudtrail s ON t.eventID = s.eventID WHEN MATCHED THEN DELETE",
        "DROP TABLE cloudtrail", "ALTER TABLE cloudtrail ADD COLUMNS (x INT)",
        "CREATE TABLE copy AS SELECT * FROM cloudtrail", "OPTIMIZE cloudtrail",
        "VACUUM cloudtrail RETAIN 0 HOURS", "RESTORE TABLE cloudtrail TO VERSION AS OF 0",
        "TRUNCATE TABLE cloudtrail", "CACHE TABLE cloudtrail", "SET spark.sql.ansi.enabled=true",
        "ADD JAR /tmp/evil.jar",
        "WITH x AS (SELECT * FROM cloudtrail) INSERT INTO cloudtrail SELECT * FROM x"}) {
      CliTest.Run r = CliTest.run("sql", "--lake", lake.toString(), write);
      assertEquals(2, r.code, write + ": " + r.err);
      assertTrue(r.err.contains("read-only") && r.err.contains("--allow-writes"), write + ": " + r.err);
      assertEquals(1, r.err.strip().split("\n").length, "one line, no stack trace: " + r.err);
    }
    assertEquals(2, rows(), "nothing was deleted");
    CliTest.Run allowed = CliTest.run("sql", "--lake", lake.toString(), "--allow-writes",
        "DELETE FROM cloudtrail WHERE eventID = 'h2'");
    assertEquals(0, allowed.code, allowed.err);
    assertEquals(1, rows());
  }

  @Test
  void readOnlyStatementsRun() {
    for (String read : new String[] {"SELECT count(*) FROM cloudtrail", "DESCRIBE cloudtrail",
        "SHOW TABLES", "EXPLAIN SELECT * FROM cloudtrail",
        "WITH x AS (SELECT eventName FROM cloudtrail) SELECT count(*) FROM x"}) {
      CliTest.Run r = CliTest.run("sql", "--lake", lake.toString(), read);
      assertEquals(0, r.code, read + ": " + r.err);
    }
  }

  @Test
  void theReadOnlyViewsCannotBeWrittenThrough() {
    Lake l = new Lake(TestSpark.get(), lake.toString());
    l.registerViews(false);
    long before = rows();
    org.apache.spark.sql.AnalysisException e = assertThrows(org.apache.spark.sql.AnalysisException.class,
        () -> TestSpark.get().sql("DELETE FROM cloudtrail"));
    // the refusal the read-only views rely on: Delta writes only through a full scan of its table
    assertTrue(e.getMessage().startsWith("[DELTA_UNEXPECTED_PARTIAL_SCAN]"), e.getMessage());
    assertEquals(before, rows());
  }

  @Test
  void aStatementThatDoesNotParseGetsTheParsersPositionAndReason() {
    CliTest.Run r = CliTest.run("sql", "--lake", lake.toString(), "SELEC * FROM cloudtrail");
    assertEquals(2, r.code);
    assertTrue(r.err.contains("Syntax error at or near 'SELEC'"), r.err);
    assertTrue(r.err.contains("line 1, pos 0"), r.err);
  }

  @Test
  void controlCharactersAreShownNotSentToTheTerminal() {
    CliTest.Run table = CliTest.run("sql", "--lake", lake.toString(),
        "SELECT userAgent FROM cloudtrail WHERE eventID = 'h1'");
    assertEquals(0, table.code, table.err);
    assertFalse(table.out.contains(ESC), "no raw ESC reaches the terminal");
    assertFalse(table.out.contains("\u0007"), "no raw BEL reaches the terminal");
    assertTrue(table.out.contains("\\e[31mred\\e[8m hidden\\e]0;title\\x07"), table.out);
    // JSON stays exact: the encoder escapes the control characters itself
    CliTest.Run json = CliTest.run("sql", "--lake", lake.toString(), "--json",
        "SELECT userAgent FROM cloudtrail WHERE eventID = 'h1'");
    assertFalse(json.out.contains(ESC));
    assertEquals(HOSTILE, Json.parse(json.lastLine()).get("userAgent").asText());
  }
}
