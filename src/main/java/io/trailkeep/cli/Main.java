package io.trailkeep.cli;

import io.trailkeep.conf.ConfException;
import io.trailkeep.job.TerminalText;
import io.trailkeep.conf.ConfKey;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code jobs/trailkeep}: parses the command line and dispatches to a command. Exit
 * codes: 0 success, 2 usage or configuration error (one line naming the fix), 1 job failure.
 */
@Command(name = "trailkeep", mixinStandardHelpOptions = false,
    description = "CloudTrail security data lake on Spark and Delta Lake.",
    subcommands = {GenerateCommand.class, IngestCommand.class, MaintainCommand.class, DemoCommand.class,
        BenchCommand.class, ActivityCommand.class, ValidateCommand.class, DetectCommand.class, CorrelateCommand.class, InvestigateCommand.class, TriageCommand.class, ReportCommand.class, NightlyCommand.class,
        CatalogCommand.class, NotebooksCommand.class, SqlCommand.class, EvaluateCommand.class})
public final class Main implements Runnable {

  @CommandLine.Option(names = {"-h", "--help"},
      description = "Show help for every command and every configuration key.")
  boolean help;

  @CommandLine.Option(names = "--version", versionHelp = true, description = "Print the version.")
  boolean version;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns the exit code (used by tests). */
  public static int run(String... args) {
    CommandLine cl = commandLine();
    return cl.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    // help texts show the defaults ConfKey declares (${bundle:default.<key>})
    cl.setResourceBundle(new ConfDefaults());
    cl.setUsageHelpAutoWidth(true);
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("trailkeep: " + ex.getMessage() + " (see 'trailkeep --help')");
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      Throwable user = userError(ex);
      if (user != null) {
        err.println("trailkeep: " + TerminalText.safe(user.getMessage()));
        return 2;
      }
      err.println("trailkeep: " + commandLine.getCommandName() + " failed: "
          + TerminalText.safe(describe(ex)));
      if (System.getenv("TRAILKEEP_DEBUG") != null) {
        ex.printStackTrace(err);
      } else {
        err.println("trailkeep: set TRAILKEEP_DEBUG=1 for the stack trace");
      }
      return 1;
    });
    return cl;
  }

  private static Throwable userError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConfException) {
        return c;
      }
    }
    return null;
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (root != t && root.getMessage() != null && !msg.contains(root.getMessage())) {
      msg += " (cause: " + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")";
    }
    return firstLine(msg);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    spec.commandLine().usage(out);
    for (Map.Entry<String, CommandLine> sub : spec.commandLine().getSubcommands().entrySet()) {
      out.println();
      out.println("---- trailkeep " + sub.getKey() + " ----");
      sub.getValue().usage(out);
    }
    out.println();
    out.println("Configuration keys (conf file 'key = value', or --set key=value; flags win):");
    for (ConfKey<?> k : ConfKey.all().values()) {
      out.printf("  %-28s default '%s' (%s)%n      %s%n", k.name(), k.defaultText(),
          k.typeDescription(), k.description());
    }
    out.println("  spark.*                      passed to the Spark session as is");
    out.flush();
  }
}
