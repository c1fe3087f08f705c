package io.trailkeep.cli;

import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.correlate.CorrelateJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.Sessions;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code trailkeep correlate}: alerts and GuardDuty findings grouped into incidents with timelines. */
@Command(mixinStandardHelpOptions = true, name = "correlate",
    description = "Group alerts and GuardDuty findings into incidents (tables incidents and "
        + "incident_timeline); a rerun with no new evidence changes nothing.")
final class CorrelateCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    TrailkeepConf conf = common.resolve(Map.of());
    PrintWriter out = spec.commandLine().getOut();
    try (Sessions.Handle session = CommonOptions.session(conf, "correlate")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      CorrelateJob.Result r = CorrelateJob.on(lake).options(conf).progress(common.progress()).execute();
      String human = String.format("correlate %s: %d incidents %s from %d alerts and %d findings; %s",
          r.runId(), r.incidents(), r.incidentsBySeverity(), r.alertSeeds(), r.findingSeeds(),
          r.unchanged() ? "unchanged since the last run" : r.incidentsNew() + " new, "
              + r.incidentsChanged() + " extended, " + r.timelineRows() + " timeline rows");
      return common.printSummary(out, r, human);
    }
  }
}
