package io.trailkeep.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.generate.Generator;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.RunHistoryTable;
import io.trailkeep.testing.ChildJvm;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * {@code nightly} killed in the middle of maintain (a child JVM paused at a crash point and
 * killed) and rerun: the rerun skips ingest and validate, which succeeded that night, resumes at
 * maintain and runs the rest; a third run does nothing. {@code --dry-run} and {@code --only}
 * decide without running or run one step.
 */
class NightlyJobTest {
  private static final LocalDate NIGHT = LocalDate.of(2026, 3, 6);

  @Test
  void killedDuringMaintainThenRerunResumesAtMaintain() throws Exception {
    Path raw = TestSpark.tempDir("nightly-raw");
    Path lakeDir = TestSpark.tempDir("nightly-lake");
    Path reports = TestSpark.tempDir("nightly-reports");
    Generator.with(new Configuration()).raw(raw.toString()).events(800).days(1).accounts(1).seed(11)
        .start(LocalDate.of(2026, 3, 5)).scenarios(List.of("leaked-access-key")).execute();
    Map<String, String> settings = Map.of("raw", raw.toString(), "lake", lakeDir.toString(),
        "validate.public-keys", raw.resolve("cloudtrail-public-keys.json").toString(),
        "nightly.reports-dir", reports.toString(), "maintain.target-file-bytes", "16384");
    String[] args = {"nightly", "--raw", raw.toString(), "--lake", lakeDir.toString(), "--night", NIGHT.toString(),
        "--master", "local[2]", "--set", "validate.public-keys=" + settings.get("validate.public-keys"),
        "--set", "nightly.reports-dir=" + reports, "--set", "maintain.target-file-bytes=16384"};
    Lake lake = new Lake(TestSpark.get(), lakeDir.toString());
    try (ChildJvm child = ChildJvm.pausedAt("maintain.cloudtrail.rewriting", args)) {
      assertEquals(Set.of("nightly.ingest", "nightly.validate"), stepRows(lake, "succeeded"),
          "ingest and validate are recorded before maintain commits anything");
      child.kill();
      // with the launcher's logging, the terminal shows TrailKeep's progress, not Spark's warnings
      List<String> terminal = child.output();
      assertTrue(terminal.stream().anyMatch(l -> l.startsWith("[trailkeep ") && l.contains("ingest")),
          String.join("\n", terminal));
      assertEquals(List.of(), terminal.stream().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d (WARN|INFO) .*"))
          .toList(), "Spark, Delta and Hadoop stay quiet on the terminal");
    }
    TrailkeepConf conf = TrailkeepConf.resolve(null, settings);
    NightlyJob.Result dry = NightlyJob.on(lake, conf).night(NIGHT).dryRun(true).execute();
    assertEquals(List.of(), dry.ran());
    assertEquals("would-run", dry.steps().get("maintain").get("action"));
    assertEquals("skipped", dry.steps().get("validate").get("action"));

    NightlyJob.Result rerun = NightlyJob.on(lake, conf).night(NIGHT).execute();
    assertNull(rerun.failedStep(), rerun.toString());
    assertEquals(List.of("maintain", "detect", "correlate", "report"), rerun.ran());
    assertEquals(List.of("ingest", "validate"), rerun.skipped());
    assertTrue(String.valueOf(rerun.steps().get("ingest").get("reason")).startsWith("succeeded tonight"),
        rerun.steps().toString());
    for (String step : rerun.ran()) {
      assertEquals("succeeded", rerun.steps().get(step).get("status"), step + ": " + rerun.steps().get(step));
    }
    assertTrue(Files.list(reports).anyMatch(p -> p.toString().endsWith(".html")), "the report step wrote pages");

    NightlyJob.Result third = NightlyJob.on(lake, conf).night(NIGHT).execute();
    assertEquals(List.of(), third.ran(), "the same night again does nothing");

    NightlyJob.Result only = NightlyJob.on(lake, conf).night(NIGHT).only("correlate").execute();
    assertEquals(List.of("correlate"), only.ran(), "--only runs its step even when it succeeded");
    assertEquals(Boolean.TRUE, only.steps().get("correlate").get("summary") instanceof Map
        && Boolean.TRUE.equals(((Map<?, ?>) only.steps().get("correlate").get("summary")).get("unchanged")));
  }

  /** The nightly step rows of run_history with {@code status}. */
  private static Set<String> stepRows(Lake lake, String status) {
    Set<String> out = new TreeSet<>();
    for (Row r : lake.read(RunHistoryTable.NAME).filter(col("job").startsWith("nightly.")
        .and(col("status").equalTo(status))).select("job").collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }
}
