package io.trailkeep.cli;

import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import io.trailkeep.spark.Sessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep ingest}: lands new raw files in the lake. */
@Command(mixinStandardHelpOptions = true, name = "ingest", description = "Ingest new raw files under --raw into the Delta tables under --lake.")
final class IngestCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--source", paramLabel = "SOURCE",
      description = "cloudtrail, vpcflow, guardduty or all (default all).")
  String source;

  @Override
  public Integer call() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(ConfKey.INGEST_SOURCES.name(), source);
    TrailkeepConf conf = common.resolve(flags);
    try (Sessions.Handle session = CommonOptions.session(conf, "ingest")) {
      SparkSession spark = session.spark();
      Lake lake = CommonOptions.lake(spark, conf);
      IngestJob.Result r = job(lake, conf).progress(common.progress()).execute();
      common.printSummary(spec.commandLine().getOut(), r, human(r));
      return 0;
    }
  }

  /** An ingest configured from {@code conf}; shared with the demo. */
  static IngestJob job(Lake lake, TrailkeepConf conf) {
    return IngestJob.into(lake)
        .raw(io.trailkeep.lake.Lake.absolute(conf.get(ConfKey.RAW)))
        .sources(conf.get(ConfKey.INGEST_SOURCES))
        .filesPerTask(conf.getInt(ConfKey.INGEST_FILES_PER_TASK))
        .lookbackDays(conf.getInt(ConfKey.INGEST_LOOKBACK_DAYS))
        .maxFileBytes(conf.getLong(ConfKey.INGEST_MAX_FILE_BYTES))
        .quarantineRawChars(conf.getInt(ConfKey.QUARANTINE_RAW_CHARS));
  }

  static String human(IngestJob.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("ingest %s: %d files seen, %d ingested, %d skipped, %d quarantined%n",
        r.runId, r.filesSeen, r.filesIngested, r.filesSkipped, r.filesQuarantined));
    b.append(String.format("  records read %d, rows written %d, duplicates dropped %d, quarantined %d%n",
        r.recordsRead, r.rowsWritten, r.duplicatesDropped, r.quarantined));
    for (Map.Entry<String, Map<String, Object>> t : r.tables.entrySet()) {
      b.append(String.format("  %-22s %s%n", t.getKey(), t.getValue()));
    }
    b.append(String.format("  S3-style requests: %d LIST, %d GET%n", r.listRequests, r.getRequests));
    b.append(String.format("  lake: %s (%.1fs)", r.lake, r.seconds));
    return b.toString();
  }
}
