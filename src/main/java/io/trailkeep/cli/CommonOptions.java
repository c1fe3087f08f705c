package io.trailkeep.cli;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.job.JobResult;
import io.trailkeep.job.Progress;
import io.trailkeep.job.TerminalText;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.LogLevels;
import io.trailkeep.spark.Sessions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * Options every command takes, and the plumbing a command needs: resolving the configuration,
 * building the session, printing the summary. Commands stay thin: they parse flags, load the
 * configuration and call a job.
 */
public class CommonOptions {

  @Option(names = "--raw", paramLabel = "URI",
      description = "Root holding raw logs in the S3 layout (local path or s3a://bucket/prefix).")
  String raw;

  @Option(names = "--lake", paramLabel = "URI", description = "Root of the Delta tables.")
  String lake;

  @Option(names = "--conf", paramLabel = "FILE",
      description = "Configuration file (default: conf/local.conf when present).")
  Path conf;

  @Option(names = "--json", description = "Print a one-line JSON summary as the last line of stdout.")
  boolean json;

  @Option(names = "--master", paramLabel = "MASTER", description = "Spark master, e.g. local[2].")
  String master;

  @Option(names = "--verbose", description = "Show Spark's, Delta's and Hadoop's warnings too.")
  boolean verbose;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override any configuration key (repeatable).")
  List<String> sets;

  /** Resolves flag > conf file > default; {@code commandFlags} maps key names to flag values. */
  TrailkeepConf resolve(Map<String, String> commandFlags) {
    if (verbose) {
      LogLevels.showWarnings();
    }
    Map<String, String> overrides = pairs("--set", "KEY=VALUE", sets);
    overrides.put(ConfKey.RAW.name(), raw);
    overrides.put(ConfKey.LAKE.name(), lake);
    overrides.put(ConfKey.MASTER.name(), master);
    overrides.putAll(commandFlags);
    return TrailkeepConf.resolve(confFile(), overrides);
  }

  /** Repeated {@code NAME=VALUE} flag values as a map, in order; a value without '=' is a usage error. */
  static Map<String, String> pairs(String flag, String shape, java.util.List<String> values) {
    Map<String, String> out = new LinkedHashMap<>();
    if (values != null) {
      for (String v : values) {
        int eq = v.indexOf('=');
        if (eq <= 0) {
          throw new ConfException(flag + " expects " + shape + ", got '" + v + "'");
        }
        out.put(v.substring(0, eq).trim(), v.substring(eq + 1).trim());
      }
    }
    return out;
  }

  private Path confFile() {
    if (conf != null) {
      return conf;
    }
    String home = System.getProperty("trailkeep.home", System.getenv("TRAILKEEP_HOME"));
    Path local = home == null ? Paths.get("conf", "local.conf") : Paths.get(home, "conf", "local.conf");
    return Files.isRegularFile(local) ? local : null;
  }

  static Sessions.Handle session(TrailkeepConf conf, String command) {
    return Sessions.open(conf, "trailkeep-" + command);
  }

  static Lake lake(SparkSession spark, TrailkeepConf conf) {
    return new Lake(spark, conf.get(ConfKey.LAKE));
  }

  /** A day flag ({@code --from}, {@code --to}, {@code --as-of}); null stays null. */
  static LocalDate day(String flag, String value) {
    return io.trailkeep.conf.Arguments.day(flag, value);
  }

  Progress progress() {
    return Progress.stderr();
  }

  /**
   * Prints the human summary (terminal-safe, line by line) and, with --json, the result as the
   * last line. Returns the exit code: 0, or 1 when the job ended {@code partial}.
   */
  int printSummary(PrintWriter out, JobResult result, String human) {
    if (human != null && !human.isEmpty()) {
      for (String line : human.split("\n", -1)) {
        out.println(TerminalText.safe(line));
      }
    }
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>(result.toMap());
      // the Spark application, for its History Server entry and the cluster's logs
      // the active session is per thread; the default one is the process's (a job run from another thread)
      scala.Option<SparkSession> session = SparkSession.getActiveSession().isDefined()
          ? SparkSession.getActiveSession() : SparkSession.getDefaultSession();
      session.foreach(s -> m.putIfAbsent("application_id", s.sparkContext().applicationId()));
      out.println(Json.write(m));
    }
    out.flush();
    return result.status().equals("partial") ? 1 : 0;
  }
}
