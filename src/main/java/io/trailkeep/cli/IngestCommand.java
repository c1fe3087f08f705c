package io.trailkeep.cli;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.Sessions;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep ingest}: lands new raw files in the lake. */
@Command(mixinStandardHelpOptions = true, name = "ingest",
    description = "Ingest new raw files under --raw into the Delta tables under --lake.")
final class IngestCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--source", paramLabel = "SOURCE",
      description = "cloudtrail, vpcflow, guardduty (comma-separated) or all (default ${bundle:default.ingest.source}).")
  String source;

  @Option(names = "--reconcile", description = "List every day (or --from..--to) instead of the "
      + "recent window, ingest what the manifest lacks, and report files_missed_by_incremental.")
  boolean reconcile;

  @Option(names = "--retry-quarantined", description = "Re-read quarantined and partial files "
      + "(delivered --from..--to) with the current parser and land what now parses.")
  boolean retryQuarantined;

  @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First delivery day for "
      + "--reconcile or --retry-quarantined.")
  String from;

  @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last delivery day for "
      + "--reconcile or --retry-quarantined.")
  String to;

  @Override
  public Integer call() {
    Map<String, String> flags = new HashMap<>();
    flags.put(ConfKey.INGEST_SOURCES.name(), source);
    TrailkeepConf conf = common.resolve(flags);
    LocalDate first = CommonOptions.day("--from", from);
    LocalDate last = CommonOptions.day("--to", to);
    if (reconcile && retryQuarantined) {
      throw new ConfException("--reconcile and --retry-quarantined are separate runs; give one");
    }
    if ((first != null || last != null) && !reconcile && !retryQuarantined) {
      throw new ConfException("--from and --to bound --reconcile or --retry-quarantined; add one of them");
    }
    try (Sessions.Handle session = CommonOptions.session(conf, "ingest")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      IngestJob job = IngestJob.into(lake).options(conf).progress(common.progress());
      if (reconcile) {
        job.reconcile(first, last);
      } else if (retryQuarantined) {
        job.retryQuarantined(first, last);
      }
      IngestJob.Result r = job.execute();
      PrintWriter out = spec.commandLine().getOut();
      int code = common.printSummary(out, r, human(r));
      if (code != 0) {
        spec.commandLine().getErr().println("trailkeep: ingest: " + r.failedFiles().size()
            + " files failed in TrailKeep's own code and are not marked done; the next run retries "
            + "them (see run_history and the manifest's error column)");
      }
      return code;
    }
  }

  static String human(IngestJob.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("ingest %s (%s): %d files seen, %d ingested, %d skipped, %d quarantined, "
        + "%d failed%n", r.runId(), r.mode(), r.filesSeen(), r.filesIngested(), r.filesSkipped(),
        r.filesQuarantined(), r.filesFailed()));
    b.append(String.format("  records read %d, rows written %d, duplicates dropped %d, quarantined %d%n",
        r.recordsRead(), r.rowsWritten(), r.duplicatesDropped(), r.quarantined()));
    if (r.mode().equals("reconcile")) {
      b.append(String.format("  files missed by the incremental window: %d%n",
          r.filesMissedByIncremental()));
    }
    for (Map.Entry<String, IngestJob.TableCounts> t : r.tables().entrySet()) {
      b.append(String.format("  %-22s files %d, rows written %d, quarantined %d%n", t.getKey(),
          t.getValue().files(), t.getValue().rowsWritten(), t.getValue().quarantined()));
    }
    for (String f : r.failedFiles()) {
      b.append("  FAILED (retried next run): ").append(f).append('\n');
    }
    b.append(String.format("  storage: %d LIST requests, %d objects read (%d bytes)%n",
        r.listRequests(), r.objectsRead(), r.bytesRead()));
    b.append(String.format("  lake: %s (%.1fs)", r.lake(), r.seconds()));
    return b.toString();
  }
}
