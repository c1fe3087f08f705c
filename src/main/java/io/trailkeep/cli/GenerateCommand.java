package io.trailkeep.cli;

import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.generate.Generator;
import io.trailkeep.spark.Sessions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep generate}: writes realistic CloudTrail, flow-log and GuardDuty deliveries under --raw. */
@Command(mixinStandardHelpOptions = true, name = "generate", description = "Write realistic CloudTrail, VPC Flow Logs and GuardDuty exports in the S3 layout under --raw.")
final class GenerateCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--events", paramLabel = "N", description = "Approximate events (default ${bundle:default.generate.events}).")
  String events;

  @Option(names = "--days", paramLabel = "D", description = "Days spanned (default ${bundle:default.generate.days}).")
  String days;

  @Option(names = "--seed", paramLabel = "S", description = "Seed; same seed, same bytes (default ${bundle:default.generate.seed}).")
  String seed;

  @Option(names = "--start", paramLabel = "YYYY-MM-DD", description = "First UTC day (default ${bundle:default.generate.start}).")
  String start;

  @Option(names = "--accounts", paramLabel = "N", description = "Accounts in the organization (default ${bundle:default.generate.accounts}).")
  String accounts;

  @Option(names = "--scenarios", paramLabel = "LIST",
      description = "Attack scenarios to inject, comma-separated, all, or none (default: "
          + "generate.scenarios; see README, Scenario catalog).")
  String scenarios;

  @Option(names = "--scenario-layout", paramLabel = "LAYOUT",
      description = "spread (one after another across the span, the default) or concurrent (all within "
          + "six minutes, several in one account).")
  String scenarioLayout;

  @Option(names = "--flow-ratio", paramLabel = "R",
      description = "Flow-log records per CloudTrail event, 0 for none (default ${bundle:default.generate.flow-ratio}).")
  String flowRatio;

  @Option(names = "--flow-format", paramLabel = "FORMAT",
      description = "Flow-log format: mixed, default, custom or a field list (default ${bundle:default.generate.flow-format}).")
  String flowFormat;

  @Override
  public Integer call() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(ConfKey.GENERATE_EVENTS.name(), events);
    flags.put(ConfKey.GENERATE_DAYS.name(), days);
    flags.put(ConfKey.GENERATE_SEED.name(), seed);
    flags.put(ConfKey.GENERATE_START.name(), start);
    flags.put(ConfKey.GENERATE_ACCOUNTS.name(), accounts);
    flags.put(ConfKey.GENERATE_SCENARIOS.name(), scenarios);
    flags.put(ConfKey.GENERATE_SCENARIO_LAYOUT.name(), scenarioLayout);
    flags.put(ConfKey.GENERATE_FLOW_RATIO.name(), flowRatio);
    flags.put(ConfKey.GENERATE_FLOW_FORMAT.name(), flowFormat);
    TrailkeepConf conf = common.resolve(flags);
    Generator.Result r = generator(conf).progress(common.progress()).execute();
    return common.printSummary(spec.commandLine().getOut(), r, String.format(
        "generated %d CloudTrail events in %d files (%d insight, %d digest), %d flow records in %d "
            + "files, %d GuardDuty finding versions in %d files, for org %s under %s",
        r.events(), r.files(), r.insightFiles(), r.digestFiles(), r.flowRecords(), r.flowFiles(),
        r.findingVersions(), r.findingFiles(), r.orgId(), r.raw()));
  }

  /** A generator configured from {@code conf}; shared with the demo. */
  static Generator generator(TrailkeepConf conf) {
    return Generator.with(Sessions.hadoopConf(conf)).options(conf);
  }
}
