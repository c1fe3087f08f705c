package io.trailkeep.cli;

import io.trailkeep.bench.BenchJob;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep bench}: the benchmark harness (see BENCHMARKS.md). */
@Command(mixinStandardHelpOptions = true, name = "bench",
    description = "Benchmark parsing, ingest and queries against Spark's JSON reader, in one run.")
final class BenchCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--events", paramLabel = "N", defaultValue = "200000",
      description = "Events in the generated data set (cached per size; default 200000).")
  long events;

  @Option(names = "--days", paramLabel = "D", defaultValue = "3", description = "Days spanned (default 3).")
  int days;

  @Option(names = "--accounts", paramLabel = "N", defaultValue = "8",
      description = "Accounts in the generated organization (default 8); fewer accounts spread the "
          + "same events over fewer, larger files.")
  int accounts;

  @Option(names = "--repeats", paramLabel = "R", defaultValue = "2",
      description = "Repetitions of each timed step; the best is reported (default 2).")
  int repeats;

  @Option(names = "--scaling-cores", paramLabel = "N,...", split = ",", defaultValue = "1,2",
      description = "Core counts of the scaling step's child ingests, 1 GiB heap each (default 1,2).")
  List<Integer> scalingCores;

  @Option(names = "--memory-events", paramLabel = "N", defaultValue = "0",
      description = "The scaling step also ingests a set of N events (3900000: about 5 GB of raw "
          + "logs) once in a 1 GiB child on the largest core count, to show it fits (default 0: no).")
  long memoryEvents;

  @Option(names = "--steps", paramLabel = "STEP,...", split = ",",
      defaultValue = BenchJob.STEP_NAMES,
      description = "Steps to run, comma-separated (default ${DEFAULT-VALUE}; also nights: the data "
          + "delivered one day at a time, detect and correlate timed each night).")
  List<String> steps;

  @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".trailkeep/bench",
      description = "Work directory: cached data sets and scratch lakes (default .trailkeep/bench).")
  Path dir;

  @Override
  public Integer call() throws IOException {
    TrailkeepConf conf = common.resolve(Map.of());
    Path work = Paths.get(Lake.absolute(dir.toString()));
    Files.createDirectories(work);
    try (Sessions.Handle session = CommonOptions.session(conf, "bench")) {
      BenchJob.Result r = BenchJob.in(session.spark(), work).events(events).days(days).accounts(accounts)
          .repeats(repeats).scalingCores(scalingCores).memoryEvents(memoryEvents).steps(steps).progress(common.progress()).execute();
      StringBuilder human = new StringBuilder("bench results\n");
      for (Map.Entry<String, Object> e : r.toMap().entrySet()) {
        human.append(String.format("  %-30s %s%n", e.getKey(), e.getValue()));
      }
      return common.printSummary(spec.commandLine().getOut(), r, human.toString().stripTrailing());
    }
  }
}
