package io.trailkeep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.cli.CliRunner.Run;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A mistyped {@code --lake}: every command that reads a lake refuses with exit 2 and one line that
 * names the tables it needs and the fix, and leaves nothing behind (not even run_history).
 */
class LakeRequiredTest {

  /** Each command that reads a lake, with arguments that are otherwise valid. */
  private static List<String[]> commands(Path raw) {
    List<String[]> c = new ArrayList<>();
    c.add(new String[] {"detect"});
    c.add(new String[] {"detect", "--from", "2026-03-01", "--to", "2026-03-02"});
    c.add(new String[] {"correlate"});
    c.add(new String[] {"maintain"});
    c.add(new String[] {"sql", "SELECT 1"});
    c.add(new String[] {"report", "--all", "--out", TestSpark.tempDir("lake-required-reports").toString()});
    c.add(new String[] {"investigate", "--ip", "203.0.113.7"});
    c.add(new String[] {"triage", "--top", "5"});
    c.add(new String[] {"activity", "--principal", "arn:aws:iam::111122223333:user/alice"});
    c.add(new String[] {"notebooks", "--out", TestSpark.tempDir("lake-required-notebooks").toString()});
    c.add(new String[] {"catalog"});
    c.add(new String[] {"validate", "--raw", raw.toString()});
    c.add(new String[] {"nightly", "--only", "detect"});
    c.add(new String[] {"nightly", "--from", "maintain", "--dry-run"});
    return c;
  }

  /** A raw root holding one CloudTrail log file of one event. */
  private static Path rawWithOneLog() {
    Path raw = TestSpark.tempDir("lake-required-raw");
    Fixtures.writeGzip(raw, Fixtures.logKey(Fixtures.ACCOUNT, Fixtures.REGION, "20260304T1005Z", "lr1"),
        Fixtures.body(List.of(Fixtures.record("e1", "2026-03-04T10:00:00Z", "DescribeInstances"))));
    return raw;
  }

  @Test
  void aMistypedLakeIsRefusedAndLeftUntouched() throws IOException {
    Path raw = rawWithOneLog();
    Path parent = TestSpark.tempDir("lake-required");
    Path typo = parent.resolve("typo-lake");
    for (String[] command : commands(raw)) {
      List<String> args = new ArrayList<>(List.of(command));
      args.add("--lake");
      args.add(typo.toString());
      Run r = CliRunner.run(args.toArray(new String[0]));
      String name = String.join(" ", command);
      assertEquals(2, r.code(), name + ": " + r.out() + r.err());
      assertEquals(1, r.err().strip().split("\n").length, name + ": one line, no stack trace: " + r.err());
      assertTrue(r.err().startsWith("trailkeep: " + command[0] + ": --lake " + typo + " holds none of the tables "),
          name + ": " + r.err());
      assertTrue(r.err().contains("the folder does not exist; pass the lake's root with --lake, or run 'trailkeep "),
          name + ": " + r.err());
      assertFalse(Files.exists(typo), name + " created " + typo);
    }
  }

  @Test
  void aFolderHoldingOtherTablesIsNamedAsSuch() throws IOException {
    Path raw = rawWithOneLog();
    Path lake = TestSpark.tempDir("lake-required-lake");
    Run ingest = CliRunner.run("ingest", "--raw", raw.toString(), "--lake", lake.toString());
    assertEquals(0, ingest.code(), ingest.err());
    List<String> before;
    try (Stream<Path> s = Files.list(lake)) {
      before = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    // correlate needs alerts or findings; the lake holds only what ingest wrote
    Run correlate = CliRunner.run("correlate", "--lake", lake.toString());
    assertEquals(2, correlate.code(), correlate.err());
    assertTrue(correlate.err().contains("holds none of the tables correlate reads (alerts, guardduty_findings): "
        + "it holds only cloudtrail, ingest_manifest, run_history; pass the lake's root with --lake, or run "
        + "'trailkeep detect' (and ingest GuardDuty) first"), correlate.err());
    Run report = CliRunner.run("report", "--all", "--lake", lake.toString(), "--out",
        TestSpark.tempDir("lake-required-out").toString());
    assertEquals(2, report.code(), report.err());
    assertTrue(report.err().contains("run 'trailkeep correlate' first"), report.err());
    try (Stream<Path> s = Files.list(lake)) {
      assertEquals(before, s.map(p -> p.getFileName().toString()).sorted().toList(),
          "a refused command adds no table");
    }
  }
}
