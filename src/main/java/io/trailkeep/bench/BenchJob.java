package io.trailkeep.bench;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.json.Json;
import io.trailkeep.storage.LocalFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * The benchmark harness: on a generated data set ({@link BenchData}, cached per size) it runs its
 * steps side by side with their baselines, in one run: {@link ParseStep parse} (one core),
 * {@link IngestStep ingest} (against Spark's JSON reader), {@link ScalingStep scaling} (child JVMs
 * on 1 and 2 cores), {@link QueriesStep queries} (against raw scans and plain Parquet),
 * {@link ValidateStep validate} (against gunzip + SHA-256 on one core), {@link DetectStep detect}
 * (every shipped rule against one plain full scan of the same rows) and {@link NightsStep nights}
 * (detect and correlate night by night, each night against the first). Writes
 * nothing outside its work directory and no run_history (its lakes are scratch). Costs minutes;
 * not part of the test suite.
 */
public final class BenchJob extends JobAction<BenchJob, BenchJob.Result> {
  /** The default steps, in the order they run, as the {@code --steps} default spells them. */
  public static final String STEP_NAMES = "parse,ingest,scaling,queries,validate,detect,noop,cold";
  /**
   * Every step: the defaults, and {@code nights} (an organization delivered day by day, which
   * generates and processes its own data: run it with its own {@code --days}).
   */
  public static final List<String> STEPS = List.of((STEP_NAMES + ",nights").split(","));

  private final SparkSession spark;
  private final Path dir;
  private long events = 200_000;
  private int days = 3;
  private int accounts = BenchData.DEFAULT_ACCOUNTS;
  private int repeats = 2;
  private List<Integer> scalingCores = List.of(1, 2);
  private long memoryEvents;
  private Set<String> steps = new LinkedHashSet<>(List.of(STEP_NAMES.split(",")));

  private BenchJob(SparkSession spark, Path dir) {
    super("bench", null);
    this.spark = spark;
    this.dir = dir;
  }

  public static BenchJob in(SparkSession spark, Path dir) {
    return new BenchJob(spark, dir);
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of();
  }

  /** Events in the data set. */
  public BenchJob events(long n) {
    this.events = n;
    return this;
  }

  /** Days the data set spans. */
  public BenchJob days(int d) {
    this.days = d;
    return this;
  }

  /** Accounts of the generated organization (fewer accounts: fewer, larger files). */
  public BenchJob accounts(int n) {
    if (n < 1) {
      throw new ConfException("the bench organization needs at least 1 account, got " + n);
    }
    this.accounts = n;
    return this;
  }

  /** Repetitions of each timed step; the best is reported. */
  public BenchJob repeats(int r) {
    this.repeats = Math.max(1, r);
    return this;
  }

  /** Which of {@link #STEPS} to run. Unknown names are rejected. */
  public BenchJob steps(List<String> names) {
    Set<String> chosen = new LinkedHashSet<>();
    for (String n : names) {
      if (!STEPS.contains(n)) {
        throw new ConfException("bench has no step '" + n + "'; choose from " + String.join(", ", STEPS));
      }
      chosen.add(n);
    }
    if (chosen.isEmpty()) {
      throw new ConfException("bench needs at least one step: " + String.join(", ", STEPS));
    }
    this.steps = chosen;
    return this;
  }

  /** Core counts of the scaling step's child ingests. */
  public BenchJob scalingCores(List<Integer> cores) {
    for (int c : cores) {
      if (c < 1) {
        throw new ConfException("scaling core counts must be at least 1, got " + c);
      }
    }
    this.scalingCores = List.copyOf(cores);
    return this;
  }

  /**
   * Events of the scaling step's memory set (generated and cached like the main set, same days),
   * ingested once in a 1 GiB child; 0, the default, leaves it out.
   */
  public BenchJob memoryEvents(long n) {
    if (n < 0) {
      throw new ConfException("the memory set's event count must be 0 (none) or more, got " + n);
    }
    this.memoryEvents = n;
    return this;
  }

  /** Results of the steps that ran (a step that did not run is left out of the summary). */
  public record Result(Map<String, Object> machine, Map<String, Object> data,
      Map<String, Object> parseOnlyOneCore, Map<String, Object> ingest,
      Double ingestSpeedupVsSparkJson, Map<String, Object> scaling, Map<String, Object> queries,
      Map<String, Object> validate, Map<String, Object> detect, Map<String, Object> nights,
      Map<String, Object> noop,
      Map<String, Object> cold, double seconds) implements JobResult {
    @Override
    public String job() {
      return "bench";
    }

    @Override
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("job", job());
      for (Map.Entry<String, Object> e : Json.fields(this).entrySet()) {
        if (e.getValue() != null) {
          m.put(e.getKey(), e.getValue());
        }
      }
      return m;
    }
  }

  @Override
  protected Result run(Run run) throws IOException {
    BenchData data = BenchData.prepare(dir, events, days, accounts, run.progress());
    int cores = spark.sparkContext().defaultParallelism();
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores_available", Runtime.getRuntime().availableProcessors());
    machine.put("spark_cores", cores);
    machine.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    machine.put("java", System.getProperty("java.version"));
    machine.put("spark", spark.version());
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    Map<String, Object> dataMap = new LinkedHashMap<>();
    dataMap.put("events_requested", data.requestedEvents());
    dataMap.put("events", data.generatedEvents());
    dataMap.put("accounts", accounts);
    dataMap.put("files", (long) data.files().size());
    dataMap.put("gzip_bytes", data.gzipBytes());
    // every step's lakes live under one scratch folder, removed when the run ends (data sets stay)
    Path scratch = Files.createTempDirectory(dir, "scratch-");
    try {
      Map<String, Object> parse = steps.contains("parse")
          ? ParseStep.run(data, repeats, run.progress()) : null;
      Map<String, Object> ingest = steps.contains("ingest")
          ? IngestStep.run(spark, scratch, data, repeats, run.progress()) : null;
      BenchData memorySet = steps.contains("scaling") && memoryEvents > 0
          ? BenchData.prepare(dir, memoryEvents, days, accounts, run.progress()) : null;
      Map<String, Object> scaling = steps.contains("scaling")
          ? ScalingStep.run(scratch, data, memorySet, scalingCores, repeats, run.progress()) : null;
      SharedLake shared = new SharedLake(spark, scratch, data, days);
      Map<String, Object> queries = steps.contains("queries")
          ? QueriesStep.run(spark, scratch, data, shared, repeats, run.progress()) : null;
      Map<String, Object> validate = steps.contains("validate")
          ? ValidateStep.run(spark, scratch, data, repeats, run.progress()) : null;
      Map<String, Object> detect = steps.contains("detect")
          ? DetectStep.run(shared, days, repeats, run.progress()) : null;
      Map<String, Object> nights = steps.contains("nights")
          ? NightsStep.run(spark, scratch, events, days, accounts, run.progress()) : null;
      Map<String, Object> noop = steps.contains("noop")
          ? FixedCostStep.noop(spark, shared, data, repeats, run.progress()) : null;
      Map<String, Object> cold = steps.contains("cold")
          ? FixedCostStep.cold(dir, scratch, run.progress()) : null;
      return new Result(machine, dataMap, parse, ingest,
          ingest == null ? null : (Double) ingest.get("speedup"), scaling, queries, validate, detect,
          nights, noop, cold, run.seconds());
    } finally {
      LocalFiles.deleteTree(scratch);
    }
  }
}
