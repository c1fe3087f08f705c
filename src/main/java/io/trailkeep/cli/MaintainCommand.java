package io.trailkeep.cli;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.lake.Lake;
import io.trailkeep.maintain.MaintainJob;
import io.trailkeep.spark.Sessions;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep maintain}: retention, compaction and VACUUM of the lake's tables. */
@Command(mixinStandardHelpOptions = true, name = "maintain",
    description = "Apply retention, compact and Z-order recent partitions, VACUUM old files.")
final class MaintainCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--retention", paramLabel = "TABLE=DAYS,...", description = "Retention per table.")
  String retention;

  @Option(names = "--legal-hold", paramLabel = "SPEC",
      description = "account=ID, principal=ARN, dates=FROM..TO (comma-separated): never deleted.")
  String legalHold;

  @Option(names = "--as-of", paramLabel = "YYYY-MM-DD", description = "Day retention counts back from (default today, UTC).")
  String asOf;

  @Option(names = "--vacuum-hours", paramLabel = "H", description = "VACUUM safety window (default 168).")
  String vacuumHours;

  @Option(names = "--force-vacuum", description = "Allow a VACUUM window below 168 hours.")
  boolean forceVacuum;

  @Override
  public Integer call() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(ConfKey.MAINTAIN_RETENTION.name(), retention);
    flags.put(ConfKey.MAINTAIN_LEGAL_HOLD.name(), legalHold);
    flags.put(ConfKey.MAINTAIN_VACUUM_HOURS.name(), vacuumHours);
    TrailkeepConf conf = common.resolve(flags);
    LocalDate day;
    try {
      day = asOf == null ? LocalDate.now(java.time.ZoneOffset.UTC) : LocalDate.parse(asOf);
    } catch (DateTimeParseException e) {
      throw new ConfException("--as-of must be YYYY-MM-DD, got '" + asOf + "'");
    }
    MaintainJob job;
    try (Sessions.Handle session = CommonOptions.session(conf, "maintain")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      job = MaintainJob.on(lake)
          .targetFileBytes(conf.getLong(ConfKey.MAINTAIN_TARGET_FILE_BYTES))
          .retention(conf.get(ConfKey.MAINTAIN_RETENTION))
          .legalHold(conf.get(ConfKey.MAINTAIN_LEGAL_HOLD))
          .asOf(day)
          .vacuumHours(conf.getInt(ConfKey.MAINTAIN_VACUUM_HOURS), forceVacuum)
          .progress(common.progress());
      MaintainJob.Result r = job.execute();
      StringBuilder human = new StringBuilder("maintain " + r.runId + ":");
      for (Map.Entry<String, Map<String, Object>> t : r.tables.entrySet()) {
        human.append(String.format("%n  %-22s %s", t.getKey(), t.getValue()));
      }
      common.printSummary(spec.commandLine().getOut(), r, human.toString());
      return 0;
    }
  }
}
