package io.trailkeep.cli;

import io.trailkeep.schema.IncidentTables;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.job.JobResult;
import io.trailkeep.lake.Lake;
import io.trailkeep.report.IncidentReport;
import io.trailkeep.spark.Sessions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep report --incident ID | --all}: self-contained HTML and JSON per incident. */
@Command(mixinStandardHelpOptions = true, name = "report",
    description = "Write a self-contained HTML page (summary, SVG timeline by source, entity picture, "
        + "every row) and a JSON file per incident.")
final class ReportCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--incident", paramLabel = "ID", description = "An incident id (inc-...); repeatable.")
  List<String> incidents;

  @Option(names = "--all", description = "Every incident.")
  boolean all;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Folder for the files (default: a reports folder beside a local lake; ./reports for a "
          + "lake on S3).")
  Path out;

  /** What was written. */
  record Result(List<IncidentReport.Written> reports, String dir) implements JobResult {
    @Override
    public String job() {
      return "report";
    }
  }

  @Override
  public Integer call() throws IOException {
    TrailkeepConf conf = common.resolve(Map.of());
    if ((incidents == null || incidents.isEmpty()) == !all) {
      throw new ConfException("give --incident ID (repeatable) or --all");
    }
    for (String id : incidents == null ? List.<String>of() : incidents) {
      if (!id.matches("inc-[0-9a-f]{16}")) {
        throw new ConfException("--incident expects an incident id such as inc-0123456789abcdef, got '" + id
            + "'");
      }
    }
    PrintWriter w = spec.commandLine().getOut();
    Path out = this.out != null ? this.out : IncidentReport.defaultDir(conf.get(ConfKey.LAKE));
    try (Sessions.Handle session = CommonOptions.session(conf, "report")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      lake.requireAny("report", List.of(IncidentTables.INCIDENTS), "run 'trailkeep correlate' first");
      List<IncidentReport.Written> written = IncidentReport.write(lake, all ? null : incidents,
          out.toAbsolutePath());
      StringBuilder human = new StringBuilder();
      for (IncidentReport.Written r : written) {
        human.append(String.format("%s %-8s %s%n", r.incidentId(), r.severity(), r.html()));
      }
      human.append(written.size()).append(" reports in ").append(out.toAbsolutePath());
      return common.printSummary(w, new Result(written, out.toAbsolutePath().toString()), human.toString());
    }
  }
}
