package io.trailkeep.cli;

import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.evaluate.EvaluateJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep evaluate}: correlation scored against ground truth (see README, Evaluation). */
@Command(mixinStandardHelpOptions = true, name = "evaluate",
    description = "Score correlation against ground truth: every scenario at once in a large generated "
        + "organization, then ingest, detect, correlate, and precision and recall per scenario. "
        + "Exit 0 when every goal is met, 1 when one is missed.")
final class EvaluateCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--events", paramLabel = "N", defaultValue = "2000000",
      description = "Background CloudTrail events (default 2000000).")
  long events;

  @Option(names = "--days", paramLabel = "D", defaultValue = "" + EvaluateJob.DEFAULT_DAYS,
      description = "Days spanned (default ${DEFAULT-VALUE}: the scenarios play after the 7 learning days).")
  int days;

  @Option(names = "--accounts", paramLabel = "N", defaultValue = "4",
      description = "Accounts in the organization, at least 4 (default 4).")
  int accounts;

  @Option(names = "--flow-ratio", paramLabel = "R", defaultValue = "1",
      description = "Flow-log records per background CloudTrail event (default 1).")
  double flowRatio;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Generator seed (default 42).")
  long seed;

  @Option(names = "--fresh", description = "Rebuild the cached lake (the generated data set is kept).")
  boolean fresh;

  @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".trailkeep/evaluate",
      description = "Work directory: the cached data set and its lake (default .trailkeep/evaluate).")
  Path dir;

  @Override
  public Integer call() throws IOException {
    TrailkeepConf conf = common.resolve(Map.of());
    Path work = Paths.get(Lake.absolute(dir.toString()));
    Files.createDirectories(work);
    try (Sessions.Handle session = CommonOptions.session(conf, "evaluate")) {
      EvaluateJob.Result r = EvaluateJob.in(session.spark(), work).events(events).days(days).accounts(accounts)
          .flowRatio(flowRatio).seed(seed).fresh(fresh).progress(common.progress()).execute();
      return common.printSummary(spec.commandLine().getOut(), r, human(r));
    }
  }

  static String human(EvaluateJob.Result r) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("evaluated %d attack scenarios and %d benign look-alike(s) in %,d events and %,d flow "
        + "records (%s)%n", r.attackScenarios(), r.benign().size(), r.events(), r.flowRecords(), r.raw()));
    s.append(String.format("%-24s %9s %7s %9s %6s %5s  %s%n", "scenario", "incidents", "recall", "precision",
        "events", "rank", "incident (severity)"));
    for (EvaluateJob.ScenarioScore c : r.scenarios()) {
      s.append(row(c));
    }
    for (EvaluateJob.ScenarioScore c : r.benign()) {
      s.append(row(c));
    }
    s.append(String.format("overall: precision %.3f, recall %.3f; %d incidents in the lake (%s), %d holding "
        + "scenario events%n", r.precision(), r.recall(), r.incidents(), r.incidentsBySeverity(),
        r.incidentsHoldingScenarios()));
    s.append(String.format("queue: %d false high incidents (%.1f per attack), %.1f incidents per attack, "
        + "precision at k %.2f, best rank of a look-alike %s%n", r.falseHighIncidents(), r.falseHighPerAttack(),
        r.incidentsPerAttack(), r.precisionAtK(), r.benignRank() == null ? "none (no incident)" : r.benignRank()));
    EvaluateJob.Goals g = r.goals();
    s.append(String.format("goals %s: one incident per scenario %s, recall >= %.2f %s, precision >= %.2f %s, "
        + "benign look-alike raises no high incident %s, every expected rule fires %s, false high incidents per "
        + "attack <= %.0f %s, precision at k >= %.1f %s, look-alikes below every attack %s%n", g.met() ? "met" : "MISSED",
        mark(g.eachScenarioOneIncident()), EvaluateJob.GOAL_RECALL, mark(g.recall()), EvaluateJob.GOAL_PRECISION,
        mark(g.precision()), mark(g.benignNoHighIncident()), mark(g.expectedRules()),
        EvaluateJob.GOAL_FALSE_HIGH_PER_ATTACK, mark(g.falseHighPerAttack()), EvaluateJob.GOAL_PRECISION_AT_K,
        mark(g.precisionAtK()), mark(g.benignBelowAttacks())));
    s.append(String.format("seconds: %s, total %.1f", r.phaseSeconds(), r.seconds()));
    return s.toString();
  }

  private static String row(EvaluateJob.ScenarioScore c) {
    return String.format("%-24s %9d %7.3f %9.3f %6d %5s  %s%s%n", c.name() + (c.benign() ? " (benign)" : ""),
        c.incidents(), c.recall(), c.precision(), c.events(), c.rank() == null ? "-" : c.rank(),
        c.incident() == null ? "none" : c.incident() + " (" + c.severity() + ")",
        c.missingRules().isEmpty() ? "" : "; rules that did not fire: " + String.join(", ", c.missingRules()));
  }

  private static String mark(boolean ok) {
    return ok ? "yes" : "NO";
  }
}
