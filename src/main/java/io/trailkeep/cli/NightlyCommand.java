package io.trailkeep.cli;

import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.lake.Lake;
import io.trailkeep.pipeline.NightlyJob;
import io.trailkeep.spark.Sessions;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep nightly}: the whole pipeline for one night, resuming where a failed run stopped. */
@Command(mixinStandardHelpOptions = true, name = "nightly",
    description = "Run ingest, validate, maintain, detect, correlate and report for tonight; a rerun "
        + "skips the steps that already succeeded tonight and resumes at the one that did not.")
final class NightlyCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--from", paramLabel = "STEP",
      description = "Start at STEP (and run it and every later step even if they succeeded tonight).")
  String from;

  @Option(names = "--only", paramLabel = "STEP", description = "Run only STEP, even if it succeeded tonight.")
  String only;

  @Option(names = "--dry-run", description = "Print what would run and why; run nothing.")
  boolean dryRun;

  @Option(names = "--night", paramLabel = "YYYY-MM-DD",
      description = "The night whose steps are tracked (default: today, UTC).")
  String night;

  @Override
  public Integer call() {
    TrailkeepConf conf = common.resolve(Map.of());
    LocalDate day = CommonOptions.day("--night", night);
    PrintWriter out = spec.commandLine().getOut();
    try (Sessions.Handle session = CommonOptions.session(conf, "nightly")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      NightlyJob job = NightlyJob.on(lake, conf).from(from).only(only).dryRun(dryRun)
          .progress(common.progress());
      if (day != null) {
        job.night(day);
      }
      NightlyJob.Result r = job.execute();
      StringBuilder human = new StringBuilder(String.format("nightly %s%s (Spark application %s):%n",
          r.night(), r.dryRun() ? ", dry run" : "", r.applicationId()));
      r.steps().forEach((step, s) -> human.append(String.format("  %-10s %-9s %s%n", step, s.get("action"),
          s.containsKey("status") ? s.get("status") + String.format(" in %.1fs", (Double) s.get("seconds"))
              + (s.containsKey("error") ? ": " + s.get("error") : "")
              : s.getOrDefault("reason", ""))));
      if (!r.dryRun() && r.ran().isEmpty()) {
        human.append("nothing to do: every step already succeeded tonight");
      } else if (r.failedStep() != null) {
        human.append("stopped at ").append(r.failedStep()).append("; rerun nightly to resume there");
      }
      return common.printSummary(out, r, human.toString().stripTrailing());
    }
  }
}
