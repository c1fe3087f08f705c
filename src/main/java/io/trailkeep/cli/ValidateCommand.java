package io.trailkeep.cli;

import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.integrity.ValidateJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.Sessions;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trailkeep validate}: CloudTrail digest validation of every trail under --raw. Exit 0
 * when every item is valid or pending, 3 when validation completed and found problems, 1 when it
 * could not complete, 2 on a usage error.
 */
@Command(mixinStandardHelpOptions = true, name = "validate",
    description = "Validate CloudTrail digest files (signatures, chains, log file hashes); exit 3 "
        + "when problems are found.")
final class ValidateCommand implements Callable<Integer> {
  /** Exit code of a completed validation that found problems. */
  static final int PROBLEMS = 3;

  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First delivery day (default: all).")
  String from;

  @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last delivery day (default: all).")
  String to;

  @Option(names = "--public-keys", paramLabel = "FILE", description = "'aws cloudtrail "
      + "list-public-keys' output as JSON, for offline validation (default: <raw>/cloudtrail-public-keys.json "
      + "in a local raw folder that holds one, else ask CloudTrail).")
  String publicKeys;

  @Option(names = "--new-lake", description = "Record the verdicts in a lake that ingest has not written "
      + "(validation on its own); without it a --lake holding no ingest manifest is refused as mistyped.")
  boolean newLake;

  @Option(names = "--max-problems", paramLabel = "N", description = "Problems listed in the "
      + "summary (default ${bundle:default.validate.max-problems}; all are in the integrity table).")
  String maxProblems;

  @Override
  public Integer call() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(ConfKey.VALIDATE_PUBLIC_KEYS.name(), publicKeys);
    flags.put(ConfKey.VALIDATE_MAX_PROBLEMS.name(), maxProblems);
    TrailkeepConf conf = common.resolve(flags);
    LocalDate first = CommonOptions.day("--from", from);
    LocalDate last = CommonOptions.day("--to", to);
    try (Sessions.Handle session = CommonOptions.session(conf, "validate")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      ValidateJob.Result r = ValidateJob.on(lake).options(conf).days(first, last).existingLake(!newLake)
          .progress(common.progress()).execute();
      StringBuilder human = new StringBuilder(String.format(
          "validate %s: %d digests and %d log files checked, %d problems%n", r.runId(),
          r.digestsChecked(), r.logsChecked(), r.problemCount()));
      for (Map.Entry<String, Long> v : r.verdicts().entrySet()) {
        if (v.getValue() > 0) {
          human.append(String.format("  %-15s %d%n", v.getKey(), v.getValue()));
        }
      }
      for (Map<String, String> p : r.problems()) {
        human.append("  ").append(p.get("verdict")).append(' ')
            .append(p.containsKey("key") ? p.get("key") : p.get("from") + " .. " + p.get("to"))
            .append('\n');
      }
      int code = common.printSummary(spec.commandLine().getOut(), r, human.toString().stripTrailing());
      return code != 0 ? code : r.problemCount() > 0 ? PROBLEMS : 0;
    }
  }
}
