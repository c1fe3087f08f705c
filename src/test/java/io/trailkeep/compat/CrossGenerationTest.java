package io.trailkeep.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.RecordJson;
import io.trailkeep.testing.OtherGeneration;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * A lake written by one Spark generation is read and appended by the other, in both directions:
 * Spark 3.5 / Delta 3.3 and Spark 4 / Delta 4 share the table format TrailKeep writes.
 */
class CrossGenerationTest {

  private static void generate(Path raw, LocalDate day, long seed) {
    Generator.with(new Configuration()).raw(raw.toString()).events(400).days(1).accounts(1)
        .flowRatio(0).findingsPerDay(0)
        .seed(seed).start(day).scenarios(List.of()).execute();
  }

  private static long countOnOther(Path lake) throws Exception {
    OtherGeneration.Result r = OtherGeneration.cli("sql", "--lake", lake.toString(), "--master",
        "local[2]", "--json", "SELECT count(*) AS n FROM cloudtrail");
    assertEquals(0, r.code, r.stderr);
    return RecordJson.parse(r.lastLine()).get("n").asLong();
  }

  @Test
  void tablesMoveBetweenGenerationsBothWays() throws Exception {
    Path raw = TestSpark.tempDir("xgen-raw");
    Path lake = TestSpark.tempDir("xgen-lake");
    generate(raw, LocalDate.of(2026, 6, 1), 1);

    // the other generation creates the lake
    OtherGeneration.Result created = OtherGeneration.cli("ingest", "--raw", raw.toString(), "--lake",
        lake.toString(), "--master", "local[2]", "--json");
    assertEquals(0, created.code, created.stderr);
    long first = RecordJson.parse(created.lastLine()).get("rows_written").asLong();

    // this generation reads it and appends a new day
    Lake here = new Lake(TestSpark.get(), lake.toString());
    assertEquals(first, here.read(CloudTrailTable.NAME).count());
    generate(raw, LocalDate.of(2026, 6, 2), 2);
    IngestJob.Result appended = IngestJob.into(here).raw(raw.toString()).execute();
    long total = here.read(CloudTrailTable.NAME).count();
    assertEquals(first + appended.rowsWritten() - insights(here, appended), total);

    // and the other generation reads what this one appended, then appends again
    assertEquals(total, countOnOther(lake));
    generate(raw, LocalDate.of(2026, 6, 3), 3);
    OtherGeneration.Result again = OtherGeneration.cli("ingest", "--raw", raw.toString(), "--lake",
        lake.toString(), "--master", "local[2]", "--json");
    assertEquals(0, again.code, again.stderr);
    long third = RecordJson.parse(again.lastLine()).get("tables").get("cloudtrail").get("rows_written").asLong();
    assertEquals(total + third, here.read(CloudTrailTable.NAME).count());
  }

  private static long insights(Lake lake, IngestJob.Result r) {
    Object t = r.tables().get(CloudTrailTable.INSIGHTS_NAME);
    return t == null ? 0 : r.tables().get(CloudTrailTable.INSIGHTS_NAME).rowsWritten();
  }
}
