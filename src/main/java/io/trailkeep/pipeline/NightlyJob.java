package io.trailkeep.pipeline;

import io.trailkeep.schema.Source;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.correlate.CorrelateJob;
import io.trailkeep.detect.DetectJob;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.integrity.ValidateJob;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.job.RunHistory;
import io.trailkeep.lake.Lake;
import io.trailkeep.maintain.MaintainJob;
import io.trailkeep.report.IncidentReport;
import io.trailkeep.schema.RunHistoryTable;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The {@code nightly} action: ingest (all sources; a reconciling ingest on
 * {@code nightly.reconcile-day}), validate, maintain, detect, correlate and report, in that order,
 * for one night (a UTC day, today by default). Each step's outcome is written to
 * {@code run_history} as job {@code nightly.<step>} with the night, so a rerun of the same night
 * skips the steps that already succeeded and resumes at the one that failed or was interrupted.
 * A step that fails stops the night (later steps read what it writes). {@code from} and
 * {@code only} run the named steps even if they succeeded; {@code dryRun} only says what would run
 * and why.
 *
 * <p>Cost: that of its steps, plus one small read of run_history. Side effects: those of its
 * steps, one run_history row per step run and one for the night.
 */
public final class NightlyJob extends JobAction<NightlyJob, NightlyJob.Result> {
  /** Every step, in the order they run ({@link ConfKey#NIGHTLY_STEP_NAMES}). */
  public static final List<String> STEPS = ConfKey.NIGHTLY_STEP_NAMES;

  private final TrailkeepConf conf;
  private LocalDate night = LocalDate.now(ZoneOffset.UTC);
  private String from;
  private String only;
  private boolean dryRun;

  private NightlyJob(Lake lake, TrailkeepConf conf) {
    super("nightly", lake);
    this.conf = conf;
    options(conf);
  }

  /** Nightly on {@code lake}; every step takes its options from {@code conf}. */
  public static NightlyJob on(Lake lake, TrailkeepConf conf) {
    return new NightlyJob(lake, conf);
  }

  /**
   * A night that runs ingest may start on an empty lake; one that does not needs what ingest landed.
   */
  @Override
  protected List<String> requiredTables() {
    List<String> enabled = get(ConfKey.NIGHTLY_STEPS);
    boolean ingests = enabled.contains("ingest") && (only == null || only.equals("ingest")) && from == null
        || from != null && from.equals("ingest");
    return ingests ? List.of() : Source.dataTables();
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of(ConfKey.NIGHTLY_STEPS, ConfKey.NIGHTLY_RECONCILE_DAY, ConfKey.NIGHTLY_REPORTS_DIR);
  }

  /** The night (UTC day) whose steps are tracked; default today. */
  public NightlyJob night(LocalDate day) {
    this.night = day;
    return this;
  }

  /** Starts at {@code step}, running it and every later step even if they succeeded tonight. */
  public NightlyJob from(String step) {
    this.from = known(step, "--from");
    return this;
  }

  /** Runs only {@code step}, even if it succeeded tonight. */
  public NightlyJob only(String step) {
    this.only = known(step, "--only");
    return this;
  }

  /** Decides and reports, runs nothing. */
  public NightlyJob dryRun(boolean on) {
    this.dryRun = on;
    return this;
  }

  private static String known(String step, String flag) {
    if (step != null && !STEPS.contains(step)) {
      throw new ConfException(flag + " " + step + " is not a nightly step; the steps are "
          + String.join(", ", STEPS));
    }
    return step;
  }

  /**
   * What the night did: per step (in order) its {@code action} (ran, skipped, would-run, not-run),
   * {@code reason}, {@code status}, {@code seconds}, {@code run_id} and the step's own summary.
   */
  public record Result(String runId, String night, String applicationId, boolean dryRun, List<String> ran,
      List<String> skipped, String failedStep, Map<String, Map<String, Object>> steps, double seconds)
      implements JobResult {
    @Override
    public String job() {
      return "nightly";
    }

    @Override
    public String status() {
      return failedStep == null ? "succeeded" : "partial";
    }
  }

  @Override
  protected Result run(Run run) {
    if (from != null && only != null) {
      throw new ConfException("give --from or --only, not both");
    }
    Lake lake = lake();
    List<String> enabled = get(ConfKey.NIGHTLY_STEPS);
    for (String s : enabled) {
      known(s, ConfKey.NIGHTLY_STEPS.name());
    }
    Map<String, Row> done = doneTonight(lake);
    Map<String, Map<String, Object>> steps = new LinkedHashMap<>();
    List<String> ran = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    String failed = null;
    boolean started = from == null;
    for (String step : STEPS) {
      Map<String, Object> s = new LinkedHashMap<>();
      steps.put(step, s);
      started |= step.equals(from);
      String reason = null;
      if (!enabled.contains(step)) {
        reason = "not in " + ConfKey.NIGHTLY_STEPS.name();
      } else if (only != null && !step.equals(only)) {
        reason = "--only " + only;
      } else if (!started) {
        reason = "before --from " + from;
      } else if (failed != null) {
        reason = "an earlier step failed";
      } else if (only == null && from == null && done.containsKey(step)) {
        Row r = done.get(step);
        reason = "succeeded tonight (run " + r.getString(0) + " at " + r.getTimestamp(1).toInstant() + ")";
      }
      if (reason != null) {
        s.put("action", failed != null && enabled.contains(step) ? "not-run" : "skipped");
        s.put("reason", reason);
        skipped.add(step);
        continue;
      }
      if (dryRun) {
        s.put("action", "would-run");
        s.put("reason", done.containsKey(step) ? "asked for by --from or --only" : "not yet succeeded tonight");
        continue;
      }
      run.progress().info("nightly %s: %s", night, step);
      Instant t0 = Instant.now();
      String status;
      Map<String, Object> summary = null;
      String error = null;
      try {
        JobResult r = runStep(step, lake, run);
        summary = r.toMap();
        status = r.status();
      } catch (RuntimeException e) {
        status = "failed";
        error = e.getMessage();
        failed = step;
      }
      double seconds = (Instant.now().toEpochMilli() - t0.toEpochMilli()) / 1000.0;
      s.put("action", "ran");
      s.put("status", status);
      s.put("seconds", seconds);
      if (summary != null) {
        s.put("run_id", summary.get("run_id"));
        s.put("summary", summary);
      }
      if (error != null) {
        s.put("error", error);
      }
      ran.add(step);
      Map<String, Object> options = new LinkedHashMap<>();
      options.put("night", night.toString());
      options.put("nightly_run_id", run.runId());
      RunHistory.record(lake, new RunHistory.Entry(RunHistory.newRunId(), "nightly." + step, t0, Instant.now(),
          status, options, summary, error == null ? null : "step failed", error));
      run.progress().info("nightly %s: %s %s in %.1fs%s", night, step, status, seconds,
          error == null ? "" : ": " + error);
    }
    if (!dryRun && ran.isEmpty()) {
      run.progress().info("nightly %s: nothing to do; every step already succeeded tonight", night);
    }
    return new Result(run.runId(), night.toString(), lake.spark().sparkContext().applicationId(), dryRun,
        ran, skipped, failed, steps, run.seconds());
  }

  private JobResult runStep(String step, Lake lake, Run run) {
    switch (step) {
      case "ingest": {
        IngestJob ingest = IngestJob.into(lake).options(conf).progress(run.progress());
        String day = get(ConfKey.NIGHTLY_RECONCILE_DAY);
        if (night.getDayOfWeek().name().toLowerCase(Locale.ROOT).equals(day)) {
          ingest.reconcile(null, null);
        }
        return ingest.execute();
      }
      case "validate":
        return ValidateJob.on(lake).options(conf).progress(run.progress()).execute();
      case "maintain":
        return MaintainJob.on(lake).options(conf).progress(run.progress()).execute();
      case "detect":
        return DetectJob.on(lake).options(conf).progress(run.progress()).execute();
      case "correlate":
        return CorrelateJob.on(lake).options(conf).progress(run.progress()).execute();
      case "report": {
        String given = get(ConfKey.NIGHTLY_REPORTS_DIR);
        java.nio.file.Path dir = given.isEmpty() ? IncidentReport.defaultDir(lake.root())
            : Paths.get(given).toAbsolutePath();
        try {
          List<IncidentReport.Written> w = lake.exists(io.trailkeep.schema.IncidentTables.INCIDENTS)
              ? IncidentReport.write(lake, null, dir) : List.of();
          return new ReportStep(w.size(), dir.toString());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException("cannot write the reports under " + dir + ": " + e.getMessage(), e);
        }
      }
      default:
        throw new IllegalStateException(step);
    }
  }

  /** The report step's summary. */
  record ReportStep(long reports, String dir) implements JobResult {
    @Override
    public String job() {
      return "report";
    }
  }

  /** Per step, the latest run of this night that succeeded (run id, finish time). */
  private Map<String, Row> doneTonight(Lake lake) {
    Map<String, Row> out = new LinkedHashMap<>();
    if (!lake.exists(RunHistoryTable.NAME)) {
      return out;
    }
    for (Row r : lake.read(RunHistoryTable.NAME)
        .filter(col("job").startsWith("nightly.")
            .and(get_json_object(col("options"), "$.night").equalTo(lit(night.toString())))
            .and(col("status").isin("succeeded", "partial")))
        .orderBy(col("finished_at"))
        .select(col("job"), col("run_id"), col("finished_at")).collectAsList()) {
      out.put(r.getString(0).substring("nightly.".length()),
          org.apache.spark.sql.RowFactory.create(r.getString(1), r.getTimestamp(2)));
    }
    return out;
  }
}
