package io.trailkeep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.cli.CliRunner.Run;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.Severity;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.detect.Entities;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.Source;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Facts declared once and read everywhere: the sources, the severities, the nightly steps, the
 * VACUUM minimum, and the defaults the help shows. Expected values are written here by hand.
 */
class FactsOnceTest {

  @Test
  void theSourceRegistry() {
    assertEquals(List.of("cloudtrail", "vpcflow", "guardduty"),
        java.util.Arrays.stream(Source.values()).map(Source::ingestName).toList());
    assertEquals(List.of("cloudtrail", "vpc_flow", "guardduty_findings"), Source.mainTables());
    assertEquals(List.of("cloudtrail", "cloudtrail_insights", "vpc_flow", "guardduty_findings"), Source.dataTables());
    assertEquals(List.of("cloudtrail_quarantine", "vpcflow_quarantine", "guardduty_quarantine"),
        java.util.Arrays.stream(Source.values()).map(Source::quarantineTable).toList());
    assertEquals(java.util.Set.of("cloudtrail", "vpc_flow", "guardduty_findings"), Entities.BY_TABLE.keySet());
    assertEquals("principal_arn", Entities.BY_TABLE.get("guardduty_findings").get("principal"));
    // the ingest flag's list, spelled in ConfKey (conf sits below schema), agrees with the registry
    Run bad = CliRunner.run("ingest", "--source", "syslog", "--raw", "/tmp");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("[cloudtrail, vpcflow, guardduty]"), bad.err());
  }

  @Test
  void severitiesNightlyStepsAndTheVacuumMinimum() {
    assertEquals(List.of("info", "low", "medium", "high", "critical"), Severity.labels());
    assertEquals(4, Severity.rank("CRITICAL"));
    assertEquals(-1, Severity.rank("severe"));
    assertThrows(ConfException.class, () -> TrailkeepConf.resolve(null, Map.of("correlate.min-severity", "info")));
    assertEquals(List.of("ingest", "validate", "maintain", "detect", "correlate", "report"),
        TrailkeepConf.defaults().get(ConfKey.NIGHTLY_STEPS));
    ConfException step = assertThrows(ConfException.class,
        () -> TrailkeepConf.resolve(null, Map.of("nightly.steps", "ingest,detetc")));
    assertTrue(step.getMessage().contains("unknown name 'detetc'"), step.getMessage());
    assertEquals("168", ConfKey.MAINTAIN_VACUUM_HOURS.defaultText());
    assertEquals("interval 168 hours", Lake.Defaults.TABLE_PROPERTIES.get("delta.deletedFileRetentionDuration"),
        "the tables keep deleted files as long as VACUUM's least window");
  }

  /** A command's help with its line wrapping undone. */
  private static String help(String command) {
    Run r = CliRunner.run(command, "--help");
    assertEquals(0, r.code(), r.err());
    String text = r.out().replaceAll("\\s+", " ");
    assertTrue(!text.contains("${bundle") && !text.contains("default null"), text);
    return text;
  }

  @Test
  void helpShowsTheDefaultsTheConfigurationDeclares() {
    String maintain = help("maintain");
    assertTrue(maintain.contains("VACUUM safety window (default 168)."), maintain);
    assertTrue(maintain.contains("below 168 hours"), maintain);
    String validate = help("validate");
    assertTrue(validate.contains("(default 1000; all are in the integrity table)"), validate);
    String generate = help("generate");
    for (String d : List.of("(default 20000)", "(default 8)", "(default 42)", "(default 2026-11-01)",
        "(default 4)", "(default 10)", "(default mixed)")) {
      assertTrue(generate.contains(d), d + " in " + generate);
    }
    assertTrue(help("catalog").contains("default trailkeep)"));
    assertTrue(help("ingest").contains("(default all)"));
  }
}
