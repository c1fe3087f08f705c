package io.trailkeep.cli;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.detect.DetectJob;
import io.trailkeep.detect.Rule;
import io.trailkeep.detect.RuleExceptions;
import io.trailkeep.detect.RuleFiles;
import io.trailkeep.pipeline.RuleTests;
import io.trailkeep.detect.sigma.SigmaCompiler;
import io.trailkeep.job.TerminalText;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.Sessions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trailkeep detect}: runs the detection rules over what was ingested since the last run
 * (or a backfill range), lists them, tests them, or compiles Sigma rules.
 */
@Command(mixinStandardHelpOptions = true, name = "detect",
    description = "Run the detection rules over new data (or --from/--to), list them (--list), run "
        + "their inline tests (--test), or compile Sigma rules (--sigma DIR --compile-only).")
final class DetectCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "Backfill from this day (with --to).")
  String from;

  @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Backfill to this day (with --from).")
  String to;

  @Option(names = "--rules", paramLabel = "DIR", description = "A folder of your own rules "
      + "(default: detect.rules-dir).")
  String rules;

  @Option(names = "--sigma", paramLabel = "DIR", description = "Also run the SigmaHQ AWS "
      + "CloudTrail rules of this folder, compiled to Spark.")
  Path sigma;

  @Option(names = "--compile-only", description = "With --sigma: compile and report, run nothing.")
  boolean compileOnly;

  @Option(names = "--list", description = "List the rules (id, title, severity, MITRE ids, source).")
  boolean list;

  @Option(names = "--test", description = "Run the inline test cases of the rules of --rules DIR "
      + "(without --rules: of every enabled rule) through the real ingest and detect, and check the "
      + "exceptions file (detect.exceptions); print pass or fail per case and exception (exit 1 on "
      + "any failure, an expired exception included).")
  boolean test;

  private void progressLine(PrintWriter out, int rules) {
    common.progress().info("detect: testing the cases of %d rules (one ingest and one detect)", rules);
  }

  @Override
  public Integer call() throws IOException {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(ConfKey.DETECT_RULES_DIR.name(), rules);
    TrailkeepConf conf = common.resolve(flags);
    PrintWriter out = spec.commandLine().getOut();
    List<Rule> sigmaRules = new ArrayList<>();
    if (sigma != null) {
      SigmaCompiler.Report report = SigmaCompiler.compileDirectory(sigma);
      sigmaRules.addAll(report.rules());
      if (compileOnly) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", "detect-sigma");
        m.put("compiled", report.rules().size());
        m.put("unsupported", report.unsupported().size());
        m.put("rules", report.perRule());
        if (common.json) {
          out.println(Json.write(m));
        } else {
          for (Map<String, String> r : report.perRule()) {
            out.println(TerminalText.safe(r.get("file") + ": " + r.get("status")
                + (r.containsKey("reason") ? " - " + r.get("reason") : "")));
          }
          out.printf("%d compiled, %d unsupported%n", report.rules().size(), report.unsupported().size());
        }
        out.flush();
        return 0;
      }
    } else if (compileOnly) {
      throw new ConfException("--compile-only needs --sigma DIR");
    }
    try (Sessions.Handle session = CommonOptions.session(conf, "detect")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      DetectJob job = DetectJob.on(lake).options(conf).withRules(sigmaRules).progress(common.progress());
      if (list) {
        for (Rule r : job.rules()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("id", r.id());
          m.put("title", r.title());
          m.put("severity", r.severity());
          m.put("mitre_tactics", r.tactics());
          m.put("mitre_techniques", r.techniques());
          m.put("source", r.table());
          m.put("origin", r.source());
          m.put("type", r.type().name().toLowerCase(Locale.ROOT));
          out.println(common.json ? Json.write(m) : TerminalText.safe(String.format(
              "%-45s %-8s %-10s %s", r.id(), r.severity(), r.table(), r.title())));
        }
        out.flush();
        return 0;
      }
      if (test) {
        // the exceptions file first: a file that does not load is a usage error, before any case runs
        RuleExceptions exceptions = job.exceptions();
        Path work = Files.createTempDirectory("trailkeep-rule-tests");
        List<Rule> tested = rules != null ? RuleFiles.directory(Path.of(rules)) : job.rules();
        tested = new ArrayList<>(tested);
        tested.addAll(rules != null ? sigmaRules : List.of());
        progressLine(out, tested.size());
        List<RuleTests.CaseResult> results = RuleTests.run(session.spark(), tested, work);
        long failed = results.stream().filter(r -> !r.passed()).count();
        for (RuleTests.CaseResult r : results) {
          if (common.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", r.ruleId());
            m.put("case", r.caseName());
            m.put("kind", r.positive() ? "positive" : "negative");
            m.put("passed", r.passed());
            m.put("alerts", r.alerts());
            out.println(Json.write(m));
          } else {
            out.println(TerminalText.safe(r.describe()));
          }
        }
        out.printf("%d cases, %d passed, %d failed%n", results.size(), results.size() - failed, failed);
        long expired = 0;
        if (!exceptions.source().isEmpty()) {
          LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
          for (RuleExceptions.Entry e : exceptions.entries()) {
            boolean over = e.expiredOn(today);
            expired += over ? 1 : 0;
            if (common.json) {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("exception", e.id());
              m.put("rule", e.rule());
              m.put("expires", e.expires().toString());
              m.put("passed", !over);
              out.println(Json.write(m));
            } else {
              out.println(TerminalText.safe((over ? "FAIL" : "ok  ") + " exception " + e.id() + " (rule " + e.rule()
                  + ", owner " + e.owner() + "): " + (over ? "expired on " + e.expires()
                  + "; renew it with a new date or remove it" : "expires " + e.expires())));
            }
          }
          out.println(TerminalText.safe(String.format("exceptions file %s: %d exceptions, %d expired",
              exceptions.source(), exceptions.entries().size(), expired)));
        }
        out.flush();
        return failed == 0 && expired == 0 ? 0 : 1;
      }
      LocalDate first = CommonOptions.day("--from", from);
      LocalDate last = CommonOptions.day("--to", to);
      if ((first == null) != (last == null)) {
        throw new ConfException("a backfill needs both --from and --to");
      }
      if (first != null) {
        job.days(first, last);
      }
      DetectJob.Result r = job.execute();
      StringBuilder human = new StringBuilder(String.format("detect %s: %d rules run, %d failed, %d new "
          + "alerts, %d events scanned%n", r.runId(), r.rulesRun(), r.rulesFailed(), r.alertsNew(),
          r.eventsScanned()));
      r.alertsByRule().forEach((k, v) -> human.append(String.format("  %-45s %d%n", k, v)));
      r.failures().forEach((k, v) -> human.append("  FAILED ").append(k).append(": ").append(v).append('\n'));
      r.suppressed().forEach((k, v) -> human.append(String.format("  suppressed by exception %s: %d alerts%n", k, v)));
      return common.printSummary(out, r, human.toString().stripTrailing());
    }
  }
}
