package io.trailkeep.generate;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.generate.Org.Account;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;

/**
 * The {@code generate} action: writes a realistic organization's logs to a raw root (local or
 * s3a) exactly as AWS lays them out, one source per writer: CloudTrail log and Insights files
 * ({@link CloudTrailDeliveries}) with their signed hourly digests ({@link DigestChain}, keys in
 * {@value DigestKeys#FILE}), VPC Flow Logs ({@link FlowDeliveries}) and GuardDuty exports
 * ({@link GuardDutyExports}), plus the ground truth of injected scenarios. The three sources share
 * instances, ENIs, addresses and access keys.
 *
 * <p>Deterministic: each (day, account, region, window) draws from its own seeded random, so equal
 * seeds give byte-identical files. Memory holds one 5-minute file at a time, plus the planned
 * scenario records and the GuardDuty exports (a few per account and day).
 */
public final class Generator extends JobAction<Generator, Generator.Result> {

  private static final Map<String, Scenario> SCENARIOS = scenarios(new LeakedAccessKeyScenario(),
      new Ec2SsrfScenario(), new PasswordSprayScenario(), new S3RansomwareScenario(),
      new CryptoMiningScenario(), new SnapshotSharingScenario(), new BackdoorRoleScenario(),
      new DefenseEvasionScenario(), new SsmLateralMovementScenario(), new BenignAdminScenario());

  private static Map<String, Scenario> scenarios(Scenario... all) {
    Map<String, Scenario> m = new LinkedHashMap<>();
    for (Scenario s : all) {
      m.put(s.name(), s);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  private final Configuration hadoop;
  private double duplicateRate = 0.002;
  private double lateLogRate = 0.01;

  private Generator(Configuration hadoop) {
    super("generate", null);
    this.hadoop = hadoop;
  }

  public static Generator with(Configuration hadoop) {
    return new Generator(hadoop);
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of(ConfKey.RAW, ConfKey.GENERATE_SEED, ConfKey.GENERATE_EVENTS, ConfKey.GENERATE_DAYS,
        ConfKey.GENERATE_START, ConfKey.GENERATE_ACCOUNTS, ConfKey.GENERATE_SCENARIOS, ConfKey.GENERATE_SCENARIO_LAYOUT,
        ConfKey.GENERATE_FLOW_RATIO, ConfKey.GENERATE_FLOW_FORMAT, ConfKey.GENERATE_FINDINGS_PER_DAY);
  }

  /** Raw root to write {@code AWSLogs/} under. */
  public Generator raw(String root) {
    return set(ConfKey.RAW, root);
  }

  public Generator seed(long s) {
    return set(ConfKey.GENERATE_SEED, s);
  }

  /** Approximate number of CloudTrail events. */
  public Generator events(long n) {
    return set(ConfKey.GENERATE_EVENTS, n);
  }

  public Generator days(int d) {
    return set(ConfKey.GENERATE_DAYS, d);
  }

  /** First UTC day. */
  public Generator start(LocalDate day) {
    return set(ConfKey.GENERATE_START, day);
  }

  public Generator accounts(int n) {
    return set(ConfKey.GENERATE_ACCOUNTS, n);
  }

  /** Scenario names ({@code all} for every one), or an empty list. */
  public Generator scenarios(List<String> names) {
    return set(ConfKey.GENERATE_SCENARIOS, names);
  }

  /** {@code spread} (the default) or {@code concurrent}: see {@link ConfKey#GENERATE_SCENARIO_LAYOUT}. */
  public Generator scenarioLayout(String layout) {
    return set(ConfKey.GENERATE_SCENARIO_LAYOUT, layout);
  }

  /**
   * Share of CloudTrail log files delivered after their hour's digest was written, which a
   * {@code _backfill} digest then lists (as CloudTrail does); default 0.01, 0 for none.
   */
  public Generator lateLogRate(double rate) {
    if (rate < 0 || rate > 1) {
      throw new IllegalArgumentException("late log rate must be within 0..1");
    }
    this.lateLogRate = rate;
    return this;
  }

  /** Share of files that repeat one record of the previous file; default 0.002 of records. */
  public Generator duplicateRate(double rate) {
    this.duplicateRate = rate;
    return this;
  }

  /** Flow-log records per CloudTrail event; 0 writes no flow logs. */
  public Generator flowRatio(double ratio) {
    return set(ConfKey.GENERATE_FLOW_RATIO, ratio);
  }

  /** Flow-log format: mixed, default, custom, or a field list; see {@link FlowWriter}. */
  public Generator flowFormat(String spec) {
    FlowWriter.validate(spec);
    return set(ConfKey.GENERATE_FLOW_FORMAT, spec);
  }

  /** Mean background GuardDuty findings per account and day; 0 writes no GuardDuty exports. */
  public Generator findingsPerDay(double n) {
    return set(ConfKey.GENERATE_FINDINGS_PER_DAY, n);
  }

  /** Names of the shipped scenarios. */
  public static Set<String> knownScenarios() {
    return new TreeSet<>(SCENARIOS.keySet());
  }

  /** Counts of one generation. */
  public record Result(long events, long files, long duplicateRecords, long insightFiles,
      long digestFiles, long backfillDigestFiles, long bytes, long flowRecords, long flowFiles, long findingVersions,
      long findingFiles, String orgId, List<String> accounts, List<String> scenarios, String raw,
      double seconds) implements JobResult {
    @Override
    public String job() {
      return "generate";
    }
  }

  /** The key of the 5-minute window of {@code t} in an account and region (routes planned items). */
  /** The account's regions, then the other regions its scenarios act in. */
  private static Set<String> regionsOf(Account a, Map<String, Set<String>> plannedRegions) {
    Set<String> out = new LinkedHashSet<>(a.regions);
    out.addAll(plannedRegions.getOrDefault(a.id, Set.of()));
    return out;
  }

  static String windowKey(String account, String region, Instant t) {
    return account + "/" + region + "/" + (t.getEpochSecond() / 300);
  }

  private List<String> scenarioNames() {
    List<String> names = new ArrayList<>();
    for (String n : get(ConfKey.GENERATE_SCENARIOS)) {
      if (n.equals("all")) {
        names.addAll(knownScenarios());
      } else if (!SCENARIOS.containsKey(n)) {
        throw new ConfException("unknown scenario '" + n + "'; known: " + knownScenarios() + " or all");
      } else if (!names.contains(n)) {
        names.add(n);
      }
    }
    return names;
  }

  @Override
  protected Result run(Run run) {
    String raw = Lake.absolute(get(ConfKey.RAW));
    raw = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
    long seed = get(ConfKey.GENERATE_SEED);
    int days = get(ConfKey.GENERATE_DAYS);
    LocalDate start = get(ConfKey.GENERATE_START);
    FlowWriter.validate(get(ConfKey.GENERATE_FLOW_FORMAT));
    List<String> scenarios = scenarioNames();
    Org org = Org.build(seed, get(ConfKey.GENERATE_ACCOUNTS));
    EventCatalog catalog = new EventCatalog();
    RecordFactory records = new RecordFactory();
    FindingFactory findingFactory = new FindingFactory();
    Instant spanStart = start.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant spanEnd = spanStart.plusSeconds(86400L * days);
    Map<String, List<Scenario.Event>> planned = new HashMap<>();
    Map<String, List<FlowRecord>> plannedFlows = new HashMap<>();
    GuardDutyExports findings = new GuardDutyExports(seed, get(ConfKey.GENERATE_FINDINGS_PER_DAY),
        findingFactory);
    Map<String, Map<String, Object>> truths = new LinkedHashMap<>();
    // regions where scenarios act but the account has no background (a multi-region trail
    // still delivers their events and digests)
    Map<String, Set<String>> plannedRegions = new HashMap<>();
    for (String name : scenarios) {
      Scenario.Planned p = SCENARIOS.get(name).plan(new Scenario.Context(org, spanStart, spanEnd,
          records, catalog, findingFactory, new SplittableRandom(seed ^ name.hashCode()),
          get(ConfKey.GENERATE_SCENARIO_LAYOUT).equals("concurrent")));
      for (Scenario.Event e : p.events) {
        planned.computeIfAbsent(windowKey(e.accountId, e.region, e.time), k -> new ArrayList<>()).add(e);
        plannedRegions.computeIfAbsent(e.accountId, k -> new TreeSet<>()).add(e.region);
      }
      for (Scenario.Flow f : p.flows) {
        plannedFlows.computeIfAbsent(windowKey(f.accountId, f.region,
            Instant.ofEpochSecond(f.record.start)), k -> new ArrayList<>()).add(f.record);
      }
      findings.add(p.findings);
      truths.put(name, p.groundTruth);
    }
    double regionWeights = 0;
    int accountRegions = 0;
    for (Account a : org.accounts) {
      accountRegions += a.regions.size();
      for (String region : a.regions) {
        regionWeights += CloudTrailDeliveries.regionWeight(region);
      }
    }
    double perWindow = get(ConfKey.GENERATE_EVENTS) / (days * 288.0 * regionWeights);
    try (RawWriter out = new RawWriter(hadoop, raw)) {
      run.progress().info("generate: %d accounts, %d account-regions, ~%d events over %d days into %s",
          org.accounts.size(), accountRegions, get(ConfKey.GENERATE_EVENTS), days, raw);
      CloudTrailDeliveries cloudTrail = new CloudTrailDeliveries(out, org, seed, duplicateRate,
          catalog, records);
      FlowDeliveries flows = new FlowDeliveries(out, seed, get(ConfKey.GENERATE_FLOW_RATIO),
          get(ConfKey.GENERATE_FLOW_FORMAT), plannedFlows);
      DigestKeys keys = new DigestKeys(seed);
      String bucket = out.bucket("org-cloudtrail-" + org.orgId.substring(2));
      Map<String, DigestChain> chains = new TreeMap<>();
      for (int i = 0; i < org.accounts.size(); i++) {
        Account a = org.accounts.get(i);
        flows.account(a, i);
        for (String region : regionsOf(a, plannedRegions)) {
          chains.put(a.id + "/" + region, new DigestChain(out, keys.forRegion(region), org.orgId,
              a.id, region, a.trailName, "us-east-1", bucket, spanStart, seed, lateLogRate));
        }
      }
      CloudTrailDeliveries.Written ct = CloudTrailDeliveries.Written.NONE;
      long insightFiles = 0;
      for (int d = 0; d < days; d++) {
        LocalDate day = start.plusDays(d);
        flows.startDay(day);
        List<String> scanners = FlowDeliveries.scanners(seed, day);
        for (Account a : org.accounts) {
          for (String region : a.regions) {
            ct = ct.plus(cloudTrail.day(a, region, day, perWindow, planned,
                chains.get(a.id + "/" + region), flows));
          }
          for (String region : regionsOf(a, plannedRegions)) {
            if (!a.regions.contains(region)) {
              ct = ct.plus(cloudTrail.day(a, region, day, 0, planned, chains.get(a.id + "/" + region),
                  flows));
            }
          }
          CloudTrailDeliveries.Written insight = cloudTrail.insights(a, day);
          insightFiles += insight.files();
          ct = ct.plus(insight);
          findings.day(a, day, scanners, spanEnd);
        }
        run.progress().info("generate: day %s done, %d events in %d files, %d flow records so far",
            day, ct.events(), ct.files(), flows.written().records());
      }
      // the last windows are delivered up to ten minutes after the span: their hour is digested too
      long digests = 0;
      long backfills = 0;
      for (DigestChain c : chains.values()) {
        c.closeBefore(spanEnd.plus(1, ChronoUnit.HOURS));
        digests += c.written();
        backfills += c.backfillWritten();
      }
      out.bytes(DigestKeys.FILE, keys.publicKeyList(spanStart.minus(1, ChronoUnit.DAYS),
          spanEnd.plus(365, ChronoUnit.DAYS)).getBytes(StandardCharsets.UTF_8));
      GuardDutyExports.Written gd = findings.write(out);
      for (Map.Entry<String, Map<String, Object>> t : truths.entrySet()) {
        out.bytes("ground-truth/" + t.getKey() + ".json",
            (Json.write(t.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      FlowDeliveries.Written fl = flows.written();
      List<String> ids = new ArrayList<>();
      for (Account a : org.accounts) {
        ids.add(a.id);
      }
      return new Result(ct.events(), ct.files(), ct.duplicates(), insightFiles, digests, backfills,
          ct.bytes() + fl.bytes() + gd.bytes(), fl.records(), fl.files(), gd.versions(), gd.files(),
          org.orgId, ids, scenarios, raw, run.seconds());
    }
  }
}
