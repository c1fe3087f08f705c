package io.trailkeep.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.correlate.CorrelateJob;
import io.trailkeep.correlate.IncidentGraph;
import io.trailkeep.detect.DetectJob;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.pipeline.IncidentCheck;
import io.trailkeep.pipeline.QueueCheck;
import io.trailkeep.pipeline.ScenarioCheck;
import io.trailkeep.storage.LocalFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code evaluate} action: correlation measured against the generator's ground truth. It
 * generates an organization with every scenario of the catalog running at once (the concurrent
 * layout: all starting within six minutes, two or three in one account) and the benign look-alike, in
 * a large background ({@code events}, default 2,000,000, with a lower flow ratio), or reuses the
 * set cached under {@code dir}; runs ingest, detect and correlate into the lake beside it (reused
 * too: each job is incremental, so a second evaluation only recorrelates); and scores the
 * incidents ({@link IncidentCheck}): per scenario the incidents holding its CloudTrail events and
 * the event precision and recall of the one holding most, overall figures weighted by events, and
 * the incidents the benign look-alike raised.
 *
 * <p>The goals ({@link #GOAL_RECALL}, {@link #GOAL_PRECISION}): every attack scenario in exactly
 * one incident of its own, recall at least 0.95 and precision at least 0.9 for each, and no
 * incident of severity high or above holding the benign look-alike's events. The queue's goals
 * ({@link QueueCheck}, in {@link io.trailkeep.correlate.IncidentQueue}'s order): at most one high
 * or critical incident holding no attack per attack, at least 0.9 of the top k holding an attack,
 * every look-alike ranked below every attack and none critical.
 *
 * <p>Cost: one generation (about half a minute per million events on 2 cores), one ingest, one
 * detect over every day, one correlate. Side effects: the data set and lake under {@code dir}
 * ({@code fresh} deletes the lake first), run_history in that lake.
 */
public final class EvaluateJob extends JobAction<EvaluateJob, EvaluateJob.Result> {
  public static final double GOAL_RECALL = 0.95;
  public static final double GOAL_PRECISION = 0.9;
  /** At most this many high or critical incidents holding no attack event, per attack. */
  public static final double GOAL_FALSE_HIGH_PER_ATTACK = 1.0;
  /** At least this share of the top k of the queue (k = the attacks) holds an attack. */
  public static final double GOAL_PRECISION_AT_K = 0.9;
  /**
   * Days of the default data set: more than the 7 learning days of the unusual-activity rules, so
   * the scenarios play on the eighth day against baselines that know their principals.
   */
  public static final int DEFAULT_DAYS = 8;

  private final SparkSession spark;
  private final Path dir;
  private long events = 2_000_000;
  private int days = DEFAULT_DAYS;
  private int accounts = 4;
  private double flowRatio = 1;
  private long seed = 42;
  private boolean fresh;

  private EvaluateJob(SparkSession spark, Path dir) {
    super("evaluate", null);
    this.spark = spark;
    this.dir = dir;
  }

  /** An evaluation whose data set and lake live under {@code dir}. */
  public static EvaluateJob in(SparkSession spark, Path dir) {
    return new EvaluateJob(spark, dir);
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of();
  }

  /** Background CloudTrail events (the scenarios' few hundred come on top). */
  public EvaluateJob events(long n) {
    if (n < 1000) {
      throw new ConfException("evaluate needs at least 1000 background events, got " + n);
    }
    this.events = n;
    return this;
  }

  /** Days the data set spans (the concurrent scenarios start 3 hours after its middle). */
  public EvaluateJob days(int d) {
    if (d < 1) {
      throw new ConfException("evaluate needs at least 1 day, got " + d);
    }
    this.days = d;
    return this;
  }

  /** Accounts of the organization (at least 4, so the scenarios' accounts are distinct). */
  public EvaluateJob accounts(int n) {
    if (n < 4) {
      throw new ConfException("evaluate needs at least 4 accounts (the scenarios use four), got " + n);
    }
    this.accounts = n;
    return this;
  }

  /** Flow-log records per background CloudTrail event. */
  public EvaluateJob flowRatio(double r) {
    if (r < 0) {
      throw new ConfException("the flow ratio must be 0 or more, got " + r);
    }
    this.flowRatio = r;
    return this;
  }

  public EvaluateJob seed(long s) {
    this.seed = s;
    return this;
  }

  /** Deletes the cached lake first (the generated data set is kept). */
  public EvaluateJob fresh(boolean f) {
    this.fresh = f;
    return this;
  }

  /**
   * One scenario's score. {@code incidents}: how many incidents hold its CloudTrail events;
   * {@code missingRules}: the rules its ground truth expects (after the learning period, those
   * of the unusual-activity baselines too) that raised no alert on its events.
   */
  public record ScenarioScore(String name, boolean benign, long events, long incidents, String incident,
      String severity, Integer rank, double precision, double recall, List<String> missingRules) {}

  /** Whether each goal holds. */
  public record Goals(boolean eachScenarioOneIncident, boolean recall, boolean precision,
      boolean benignNoHighIncident, boolean expectedRules, boolean falseHighPerAttack, boolean precisionAtK,
      boolean benignBelowAttacks, boolean met) {}

  /** What an evaluation measured. */
  public record Result(String raw, String lake, boolean dataCached, long events, long flowRecords,
      int attackScenarios, long incidents, Map<String, Long> incidentsBySeverity,
      long incidentsHoldingScenarios, double precision, double recall, long falseHighIncidents,
      double falseHighPerAttack, double incidentsPerAttack, double precisionAtK, Integer benignRank,
      List<ScenarioScore> scenarios,
      List<ScenarioScore> benign, Goals goals, Map<String, Double> phaseSeconds, double seconds)
      implements JobResult {
    @Override
    public String job() {
      return "evaluate";
    }

    /** {@code partial} when a goal is missed: the run finished, the evaluation failed a goal. */
    @Override
    public String status() {
      return goals.met() ? "succeeded" : "partial";
    }
  }

  @Override
  protected Result run(Run run) throws IOException {
    String name = "e" + events + "-d" + days + "-a" + accounts + "-f" + flowRatio + "-s" + seed;
    Path raw = dir.resolve("raw-" + name);
    Path lakeDir = dir.resolve("lake-" + name);
    Path done = raw.resolve("generated.json");
    Map<String, Double> phases = new LinkedHashMap<>();
    boolean cached = Files.isRegularFile(done);
    long t0 = System.nanoTime();
    if (!cached) {
      LocalFiles.deleteTree(raw);
      LocalFiles.deleteTree(lakeDir);
      run.progress().info("evaluate: generating %,d events over %d days in %d accounts, every scenario at "
          + "once, into %s", events, days, accounts, raw);
      Generator.Result g = Generator.with(new Configuration()).raw(raw.toString()).events(events).days(days)
          .accounts(accounts).flowRatio(flowRatio).seed(seed).start(LocalDate.of(2026, 9, 1))
          .scenarios(List.of("all")).scenarioLayout("concurrent").progress(run.progress()).execute();
      Files.writeString(done, Json.write(Map.of("events", g.events(), "flow_records", g.flowRecords())));
    } else {
      run.progress().info("evaluate: reusing the data set under %s", raw);
    }
    JsonNode generated = Json.parse(Files.readString(done));
    phases.put("generate", (System.nanoTime() - t0) / 1e9);
    if (fresh) {
      LocalFiles.deleteTree(lakeDir);
    }
    Lake lake = new Lake(spark, lakeDir.toString());
    t0 = System.nanoTime();
    IngestJob.into(lake).raw(raw.toString()).progress(run.progress()).execute();
    phases.put("ingest", (System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    DetectJob.on(lake).progress(run.progress()).execute();
    phases.put("detect", (System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    CorrelateJob.Result correlated = CorrelateJob.on(lake).progress(run.progress()).execute();
    phases.put("correlate", (System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    List<IncidentCheck.Outcome> outcomes = IncidentCheck.check(lake, raw.toString());
    Map<String, List<String>> missing = new LinkedHashMap<>();
    for (ScenarioCheck.Outcome o : ScenarioCheck.check(lake, raw.toString())) {
      missing.put(o.scenario(), o.missing());
    }
    QueueCheck.Figures queue = QueueCheck.check(lake, outcomes);
    phases.put("score", (System.nanoTime() - t0) / 1e9);
    if (outcomes.isEmpty()) {
      throw new IllegalStateException("no scenario ground truth under " + raw + " or no incidents in "
          + lakeDir + "; delete " + dir + " and run evaluate again");
    }
    List<ScenarioScore> attacks = new ArrayList<>();
    List<ScenarioScore> benign = new ArrayList<>();
    Set<String> holding = new TreeSet<>();
    Map<String, Integer> owners = new LinkedHashMap<>();
    for (IncidentCheck.Outcome o : outcomes) {
      ScenarioScore s = new ScenarioScore(o.scenario(), o.benign(), o.events(), o.incidents().size(),
          o.incident(), o.severity(), queue.ranks().get(o.scenario()), o.precision(),
          o.recall(),
          List.copyOf(missing.getOrDefault(o.scenario(), List.of())));
      (o.benign() ? benign : attacks).add(s);
      holding.addAll(o.incidents());
      if (!o.benign() && o.incident() != null) {
        owners.merge(o.incident(), 1, Integer::sum);
      }
    }
    Map<String, Double> overall = IncidentCheck.overall(outcomes);
    boolean one = attacks.stream().allMatch(s -> s.incidents() == 1 && owners.get(s.incident()) == 1);
    boolean recall = attacks.stream().allMatch(s -> s.recall() >= GOAL_RECALL);
    boolean precision = attacks.stream().allMatch(s -> s.precision() >= GOAL_PRECISION);
    boolean quiet = benign.stream().allMatch(s -> s.incident() == null
        || IncidentGraph.rank(s.severity()) < IncidentGraph.rank("high"));
    boolean rules = attacks.stream().allMatch(s -> s.missingRules().isEmpty());
    boolean falseHigh = queue.falseHighPerAttack() <= GOAL_FALSE_HIGH_PER_ATTACK;
    boolean atK = queue.precisionAtK() >= GOAL_PRECISION_AT_K;
    int worstAttack = attacks.stream().mapToInt(s -> s.rank() == null ? Integer.MAX_VALUE : s.rank()).max().orElse(0);
    boolean below = !queue.benignCritical() && (queue.benignRank() == null || queue.benignRank() > worstAttack);
    Goals goals = new Goals(one, recall, precision, quiet, rules, falseHigh, atK, below,
        one && recall && precision && quiet && rules && falseHigh && atK && below);
    run.progress().info("evaluate: %d scenarios, %d incidents, precision %.3f, recall %.3f, goals %s",
        attacks.size(), correlated.incidents(), overall.get("precision"), overall.get("recall"),
        goals.met() ? "met" : "missed");
    return new Result(raw.toString(), lakeDir.toString(), cached, generated.path("events").asLong(),
        generated.path("flow_records").asLong(), attacks.size(), correlated.incidents(),
        correlated.incidentsBySeverity(), holding.size(), overall.get("precision"), overall.get("recall"),
        queue.falseHighIncidents(), queue.falseHighPerAttack(), queue.incidentsPerAttack(), queue.precisionAtK(),
        queue.benignRank(), List.copyOf(attacks), List.copyOf(benign), goals, phases, run.seconds());
  }
}
