package io.trailkeep.job;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.SessionSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;

/**
 * The frame every TrailKeep job runs in, in the manner of Iceberg's Spark actions: typed options
 * taken from the {@link TrailkeepConf configuration} (only the keys the job declares; any other is
 * rejected), a run id (a random UUID), a named Spark job group, timing, session settings restored
 * at the end ({@link SessionSettings}), and one run_history row for every run, succeeded or failed
 * (status, error class and message, options, counts). The job's outcome is an immutable record
 * ({@link JobResult}) that the CLI prints and {@code --json} serializes.
 *
 * <p>Side effects: one small Delta commit to run_history per run when the job has a lake.
 *
 * @param <S> the job's own type, so that option setters chain
 * @param <R> the job's result record
 */
public abstract class JobAction<S extends JobAction<S, R>, R extends JobResult> {
  private final String job;
  private final Lake lake;
  private TrailkeepConf options = TrailkeepConf.defaults();
  private Progress progress = Progress.silent();

  /**
   * @param job the job's name (job group, run_history's {@code job})
   * @param lake where run_history goes and whose session runs the job; null for jobs without a
   *     lake (generate)
   */
  protected JobAction(String job, Lake lake) {
    this.job = job;
    this.lake = lake;
  }

  /** One run of the job, as the job body sees it. */
  public record Run(String job, String runId, Instant started, Progress progress,
      SessionSettings settings) {
    /** Seconds since the run started. */
    public double seconds() {
      return Duration.between(started, Instant.now()).toNanos() / 1e9;
    }
  }

  /** The configuration keys this job reads. */
  protected abstract List<ConfKey<?>> keys();

  /** The job's work. Checked exceptions are reported as the run's failure. */
  protected abstract R run(Run run) throws Exception;

  /** Text of the Spark job group (shown in the Spark UI and History Server). */
  protected String description() {
    return "TrailKeep " + job;
  }

  @SuppressWarnings("unchecked")
  protected final S self() {
    return (S) this;
  }

  /** Sets a declared option (validated by its key's type). */
  protected final <T> S set(ConfKey<T> key, T value) {
    requireDeclared(key.name());
    options = options.with(key, value);
    return self();
  }

  /** The job's value of {@code key}: as set, from the configuration given, or the default. */
  protected final <T> T get(ConfKey<T> key) {
    return options.get(key);
  }

  /** Sets an option by its configuration key name; keys this job does not read are rejected. */
  public S option(String key, String value) {
    requireDeclared(key);
    options = options.with(Map.of(key, value));
    return self();
  }

  /** Takes this job's options from {@code conf} (other keys in it are ignored). */
  public S options(TrailkeepConf conf) {
    this.options = conf;
    return self();
  }

  public S progress(Progress p) {
    this.progress = p;
    return self();
  }

  protected final Progress progress() {
    return progress;
  }

  protected final Lake lake() {
    return lake;
  }

  private void requireDeclared(String key) {
    for (ConfKey<?> k : keys()) {
      if (k.name().equals(key)) {
        return;
      }
    }
    StringBuilder known = new StringBuilder();
    for (ConfKey<?> k : keys()) {
      known.append(known.length() == 0 ? "" : ", ").append(k.name());
    }
    throw new ConfException(job + " has no option '" + key + "'; its options are " + known);
  }

  /** The options this run used, as recorded in run_history. */
  public Map<String, Object> optionsUsed() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (ConfKey<?> k : keys()) {
      m.put(k.name(), options.text(k));
    }
    return m;
  }

  /**
   * The tables this job reads its input from, any one of which is enough; a lake holding none of
   * them is refused before the run starts, so that nothing (not even run_history) is written to a
   * mistyped {@code --lake}. Empty (the default) for jobs that create their lake.
   */
  protected List<String> requiredTables() {
    return List.of();
  }

  /**
   * Checks the job's input beyond the lake (files its options name) before the run starts, so
   * that bad input is refused with nothing written, not even run_history. Throws a
   * {@link ConfException} naming the problem and the fix. Does nothing by default.
   */
  protected void checkInput() {}

  /** What the user runs to create {@link #requiredTables()}, for the refusal's message. */
  protected String requiredFix() {
    return "run 'trailkeep ingest' first";
  }

  /**
   * Runs the job: the lake check ({@link #requiredTables()}) and {@link #checkInput()}, then job group, timing, settings
   * restored, a run_history row whatever happens.
   */
  public final R execute() {
    if (lake != null && !requiredTables().isEmpty()) {
      lake.requireAny(job, requiredTables(), requiredFix());
    }
    checkInput();
    String runId = RunHistory.newRunId();
    Instant started = Instant.now();
    SparkContext sc = lake == null ? null : lake.spark().sparkContext();
    String[] group = null;
    if (sc != null) {
      group = new String[] {sc.getLocalProperty("spark.jobGroup.id"),
          sc.getLocalProperty("spark.job.description"),
          sc.getLocalProperty("spark.job.interruptOnCancel")};
      sc.setJobGroup("trailkeep-" + job + "-" + runId, description(), false);
    }
    SessionSettings settings = lake == null ? null : SessionSettings.on(lake.spark());
    SparkProgress sparkProgress = sc == null ? null
        : SparkProgress.attach(sc, "trailkeep-" + job + "-" + runId, job, progress);
    try {
      R result;
      try {
        result = run(new Run(job, runId, started, progress, settings));
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Exception e) {
        throw new JobFailedException(job + " failed: " + e.getMessage(), e);
      }
      history(runId, started, result.status(), result.toMap(), null);
      return result;
    } catch (RuntimeException | Error e) {
      try {
        history(runId, started, "failed", null, e);
      } catch (RuntimeException recordFailure) {
        e.addSuppressed(recordFailure);
      }
      throw e;
    } finally {
      if (sparkProgress != null) {
        sparkProgress.close();
      }
      if (settings != null) {
        settings.close();
      }
      if (sc != null) {
        sc.setLocalProperty("spark.jobGroup.id", group[0]);
        sc.setLocalProperty("spark.job.description", group[1]);
        sc.setLocalProperty("spark.job.interruptOnCancel", group[2]);
      }
    }
  }

  private void history(String runId, Instant started, String status, Map<String, Object> result,
      Throwable error) {
    if (lake == null || !recordsHistory()) {
      return;
    }
    RunHistory.record(lake, new RunHistory.Entry(runId, job, started, Instant.now(), status,
        optionsUsed(), result, error == null ? null : error.getClass().getName(),
        error == null ? null : String.valueOf(error.getMessage())));
  }

  /** Whether runs of this job go to run_history (scratch runs such as bench steps may opt out). */
  protected boolean recordsHistory() {
    return true;
  }
}
