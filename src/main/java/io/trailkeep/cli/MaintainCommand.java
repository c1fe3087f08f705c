package io.trailkeep.cli;

import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.lake.Lake;
import io.trailkeep.maintain.MaintainJob;
import io.trailkeep.spark.Sessions;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep maintain}: retention, compaction and VACUUM of the lake's tables. */
@Command(mixinStandardHelpOptions = true, name = "maintain",
    description = "Apply retention, compact recent partitions (CloudTrail sorted by principal, key "
        + "and time; flows and findings Z-ordered), rebuild the access-key index, VACUUM old files.")
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

  @Option(names = "--as-of", paramLabel = "YYYY-MM-DD",
      description = "Day retention counts back from (default today, UTC).")
  String asOf;

  @Option(names = "--vacuum-hours", paramLabel = "H", description = "VACUUM safety window (default "
      + "${bundle:default.maintain.vacuum-hours}).")
  String vacuumHours;

  @Option(names = "--force-vacuum", description = "Allow a VACUUM window below " + ConfKey.VACUUM_MIN_HOURS
      + " hours.")
  boolean forceVacuum;

  @Override
  public Integer call() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(ConfKey.MAINTAIN_RETENTION.name(), retention);
    flags.put(ConfKey.MAINTAIN_LEGAL_HOLD.name(), legalHold);
    flags.put(ConfKey.MAINTAIN_VACUUM_HOURS.name(), vacuumHours);
    TrailkeepConf conf = common.resolve(flags);
    LocalDate day = CommonOptions.day("--as-of", asOf);
    try (Sessions.Handle session = CommonOptions.session(conf, "maintain")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      MaintainJob.Result r = MaintainJob.on(lake).options(conf)
          .asOf(day == null ? LocalDate.now(ZoneOffset.UTC) : day)
          .vacuumHours(conf.get(ConfKey.MAINTAIN_VACUUM_HOURS), forceVacuum)
          .progress(common.progress()).execute();
      StringBuilder human = new StringBuilder("maintain " + r.runId() + ":");
      for (Map.Entry<String, Map<String, Object>> t : r.tables().entrySet()) {
        human.append(String.format("%n  %-22s %s", t.getKey(), t.getValue()));
      }
      return common.printSummary(spec.commandLine().getOut(), r, human.toString());
    }
  }
}
