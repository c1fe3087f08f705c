package io.trailkeep.generate;

import io.trailkeep.conf.ConfException;
import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import io.trailkeep.job.JobResult;
import io.trailkeep.job.Json;
import io.trailkeep.job.Progress;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code generate} action: writes a realistic organization's CloudTrail delivery to a raw root
 * (local or s3a) exactly as CloudTrail lays it out - 5-minute gzip files per account and region,
 * unsorted records, occasional duplicate deliveries, Insight files and hourly digest files - plus
 * the same organization's VPC Flow Logs ({@link FlowWriter}) and GuardDuty exports
 * ({@link FindingFactory}), and the ground truth of injected scenarios. The three sources share
 * instances, ENIs, addresses and access keys.
 *
 * <p>Deterministic: each (day, account, region, window) draws from its own seeded random, so equal
 * seeds give byte-identical files. Memory holds one 5-minute file at a time, whatever the volume.
 */
public final class Generator {

  private static final Map<String, Scenario> SCENARIOS = Map.of(
      LeakedAccessKeyScenario.NAME, new LeakedAccessKeyScenario());
  private static final String[] GLOBAL = {"iam", "organizations", "route53", "signin", "sso"};
  private static final DateTimeFormatter KEY_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DIGEST_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd")
      .withZone(ZoneOffset.UTC);

  private final Configuration hadoop;
  private String raw;
  private long seed = 42;
  private long events = 20_000;
  private int days = 2;
  private LocalDate start = LocalDate.of(2026, 11, 1);
  private int accounts = 4;
  private List<String> scenarios = List.of(LeakedAccessKeyScenario.NAME);
  private double duplicateRate = 0.002;
  private double flowRatio = 10;
  private String flowFormat = "mixed";
  private double findingsPerDay = 2;
  private Progress progress = Progress.silent();

  private Generator(Configuration hadoop) {
    this.hadoop = hadoop;
  }

  public static Generator with(Configuration hadoop) {
    return new Generator(hadoop);
  }

  /** Raw root to write {@code AWSLogs/} under; required. */
  public Generator raw(String root) {
    this.raw = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    return this;
  }

  /** Seed; default 42. */
  public Generator seed(long s) {
    this.seed = s;
    return this;
  }

  /** Approximate number of CloudTrail events; default 20,000. */
  public Generator events(long n) {
    if (n < 1) {
      throw new ConfException("generate.events must be at least 1");
    }
    this.events = n;
    return this;
  }

  /** Days spanned; default 2. */
  public Generator days(int d) {
    if (d < 1) {
      throw new ConfException("generate.days must be at least 1");
    }
    this.days = d;
    return this;
  }

  /** First UTC day; default 2026-11-01. */
  public Generator start(LocalDate day) {
    this.start = day;
    return this;
  }

  /** Accounts in the organization; default 4. */
  public Generator accounts(int n) {
    if (n < 1 || n > 500) {
      throw new ConfException("generate.accounts must be between 1 and 500");
    }
    this.accounts = n;
    return this;
  }

  /** Scenario names, or an empty list; default leaked-access-key. */
  public Generator scenarios(List<String> names) {
    for (String n : names) {
      if (!SCENARIOS.containsKey(n)) {
        throw new ConfException("unknown scenario '" + n + "'; known: " + SCENARIOS.keySet());
      }
    }
    this.scenarios = List.copyOf(names);
    return this;
  }

  /** Share of files that repeat one record of the previous file; default 0.002 of records. */
  public Generator duplicateRate(double rate) {
    this.duplicateRate = rate;
    return this;
  }

  /** Flow-log records per CloudTrail event; 0 writes no flow logs. Default 10. */
  public Generator flowRatio(double ratio) {
    if (ratio < 0) {
      throw new ConfException("generate.flow-ratio must be 0 or more");
    }
    this.flowRatio = ratio;
    return this;
  }

  /** Flow-log format: mixed (default), default, custom, or a field list; see {@link FlowWriter}. */
  public Generator flowFormat(String spec) {
    FlowWriter.validate(spec);
    this.flowFormat = spec;
    return this;
  }

  /** Mean background GuardDuty findings per account and day; 0 writes no GuardDuty exports. Default 2. */
  public Generator findingsPerDay(double n) {
    if (n < 0) {
      throw new ConfException("generate.findings-per-day must be 0 or more");
    }
    this.findingsPerDay = n;
    return this;
  }

  public Generator progress(Progress p) {
    this.progress = p;
    return this;
  }

  /** Names of the shipped scenarios. */
  public static java.util.Set<String> knownScenarios() {
    return SCENARIOS.keySet();
  }

  /** Counts of one generation. */
  public static final class Result implements JobResult {
    public final long events;
    public final long files;
    public final long duplicates;
    public final long insightFiles;
    public final long digestFiles;
    public final long bytes;
    public final long flowRecords;
    public final long flowFiles;
    public final long findingVersions;
    public final long findingFiles;
    public final String orgId;
    public final List<String> accountIds;
    public final String raw;

    Result(Counters n, String orgId, List<String> accountIds, String raw) {
      this(n.events, n.files, n.duplicates, n.insights, n.digests, n.bytes, n.flowRecords,
          n.flowFiles, n.findings, n.findingFiles, orgId, accountIds, raw);
    }

    private Result(long events, long files, long duplicates, long insightFiles, long digestFiles,
        long bytes, long flowRecords, long flowFiles, long findingVersions, long findingFiles,
        String orgId, List<String> accountIds, String raw) {
      this.flowRecords = flowRecords;
      this.flowFiles = flowFiles;
      this.findingVersions = findingVersions;
      this.findingFiles = findingFiles;
      this.events = events;
      this.files = files;
      this.duplicates = duplicates;
      this.insightFiles = insightFiles;
      this.digestFiles = digestFiles;
      this.bytes = bytes;
      this.orgId = orgId;
      this.accountIds = List.copyOf(accountIds);
      this.raw = raw;
    }

    @Override
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("job", "generate");
      m.put("events", events);
      m.put("files", files);
      m.put("duplicate_records", duplicates);
      m.put("insight_files", insightFiles);
      m.put("digest_files", digestFiles);
      m.put("bytes", bytes);
      m.put("flow_records", flowRecords);
      m.put("flow_files", flowFiles);
      m.put("finding_versions", findingVersions);
      m.put("finding_files", findingFiles);
      m.put("org_id", orgId);
      m.put("accounts", accountIds);
      m.put("raw", raw);
      return m;
    }
  }

  /** Writes the data set. */
  public Result execute() {
    if (raw == null) {
      throw new ConfException("generate needs --raw (where to write AWSLogs/)");
    }
    Org org = Org.build(seed, accounts);
    EventCatalog catalog = new EventCatalog();
    RecordFactory records = new RecordFactory();
    FindingFactory findingFactory = new FindingFactory();
    Instant spanStart = start.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant spanEnd = spanStart.plusSeconds(86400L * days);
    Map<String, List<Scenario.Event>> planned = new HashMap<>();
    Map<String, List<FlowRecord>> plannedFlows = new HashMap<>();
    List<Scenario.FindingExport> exports = new ArrayList<>();
    Map<String, Map<String, Object>> truths = new LinkedHashMap<>();
    for (String name : scenarios) {
      Scenario.Planned p = SCENARIOS.get(name).plan(new Scenario.Context(org, spanStart, spanEnd,
          records, catalog, findingFactory, new SplittableRandom(seed ^ name.hashCode())));
      for (Scenario.Event e : p.events) {
        planned.computeIfAbsent(windowKey(e.accountId, e.region, e.time), k -> new ArrayList<>()).add(e);
      }
      for (Scenario.Flow f : p.flows) {
        plannedFlows.computeIfAbsent(windowKey(f.accountId, f.region,
            Instant.ofEpochSecond(f.record.start)), k -> new ArrayList<>()).add(f.record);
      }
      exports.addAll(p.findings);
      truths.put(name, p.groundTruth);
    }
    int accountRegions = 0;
    double regionWeights = 0;
    for (Account a : org.accounts) {
      accountRegions += a.regions.size();
      for (String region : a.regions) {
        regionWeights += regionWeight(region);
      }
    }
    double perWindow = (double) events / (days * 288.0 * regionWeights);
    Counters n = new Counters();
    try {
      FileSystem fs = new Path(raw).getFileSystem(hadoop);
      fs.setWriteChecksum(false);
      progress.info("generate: %d accounts, %d account-regions, ~%d events over %d days into %s",
          org.accounts.size(), accountRegions, events, days, raw);
      for (int d = 0; d < days; d++) {
        LocalDate day = start.plusDays(d);
        List<String> scanners = scanners(day);
        for (int i = 0; i < org.accounts.size(); i++) {
          Account a = org.accounts.get(i);
          FlowWriter flows = FlowWriter.formatFor(flowFormat, i);
          for (String region : a.regions) {
            Flows f = new Flows(flows, new FlowWriter.Network(a, region, seed), scanners, plannedFlows);
            writeDay(fs, org, a, region, day, perWindow, catalog, records, planned, f, n);
          }
          writeInsights(fs, org, a, day, catalog, n);
          exports.addAll(backgroundFindings(a, day, scanners, spanEnd, findingFactory));
        }
        progress.info("generate: day %s done, %d events in %d files, %d flow records so far", day,
            n.events, n.files, n.flowRecords);
      }
      if (findingsPerDay > 0) {
        writeFindings(fs, exports, n);
      }
      for (Map.Entry<String, Map<String, Object>> t : truths.entrySet()) {
        writeBytes(fs, raw + "/ground-truth/" + t.getKey() + ".json",
            (Json.write(t.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write generated data under " + raw + ": " + e.getMessage(), e);
    }
    List<String> ids = new ArrayList<>();
    for (Account a : org.accounts) {
      ids.add(a.id);
    }
    return new Result(n, org.orgId, ids, raw);
  }

  private static final class Counters {
    long flowRecords;
    long flowFiles;
    long findings;
    long findingFiles;
    long events;
    long files;
    long duplicates;
    long insights;
    long digests;
    long bytes;
  }

  private static String windowKey(String account, String region, Instant t) {
    return account + "/" + region + "/" + (t.getEpochSecond() / 300);
  }

  private void writeDay(FileSystem fs, Org org, Account a, String region, LocalDate day,
      double perWindow, EventCatalog catalog, RecordFactory records,
      Map<String, List<Scenario.Event>> planned, Flows flows, Counters n) throws IOException {
    long dayStart = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    String prefix = raw + "/AWSLogs/" + org.orgId + "/" + a.id + "/CloudTrail/" + region + "/";
    String carried = null;
    List<String[]> hourFiles = new ArrayList<>();
    String previousDigest = null;
    boolean home = region.equals("us-east-1");
    double regionWeight = regionWeight(region);
    for (int w = 0; w < 288; w++) {
      long windowStart = dayStart + w * 300L;
      SplittableRandom r = new SplittableRandom(mix(seed, a.id.hashCode(), region.hashCode(), windowStart));
      int hour = w / 12;
      double lambda = perWindow * regionWeight * diurnal(hour);
      int count = poisson(r, lambda);
      writeFlows(fs, a, region, windowStart, lambda * flowRatio, flows, n);
      List<String> body = new ArrayList<>(count + 2);
      for (int i = 0; i < count; i++) {
        Principal p = pickPrincipal(r, a, hour);
        String service = p.services.get(r.nextInt(p.services.size()));
        if (!home && isGlobal(service)) {
          service = "ec2".equals(service) ? "s3" : regionalFallback(p);
        }
        boolean human = p.kind == PrincipalKind.IAM_USER && p.mfa;
        if (p.kind == PrincipalKind.ROOT || (human && r.nextInt(60) == 0)) {
          service = home ? "signin" : service;
        }
        RecordFactory.Spec s = new RecordFactory.Spec();
        s.principal = p;
        s.api = catalog.pick(r, service);
        s.region = home && isGlobal(service) ? "us-east-1" : region;
        long late = r.nextInt(200) == 0 ? r.nextInt(3600) : 0;
        s.time = Instant.ofEpochSecond(Math.max(dayStart, windowStart + r.nextInt(300) - late));
        maybeError(r, s);
        body.add(records.write(s, r).json);
      }
      for (Scenario.Event e : planned.getOrDefault(a.id + "/" + region + "/" + (windowStart / 300),
          List.of())) {
        body.add(e.json);
      }
      if (carried != null) {
        body.add(carried);
        n.duplicates++;
        carried = null;
      }
      if (body.isEmpty()) {
        continue;
      }
      shuffle(body, r);
      if (r.nextDouble() < duplicateRate * body.size()) {
        carried = body.get(r.nextInt(body.size()));
      }
      Instant delivered = Instant.ofEpochSecond(windowStart + 300 + 60 + r.nextInt(240));
      String file = a.id + "_CloudTrail_" + region + "_" + KEY_TIME.format(delivered) + "_"
          + Ids.alnum(r, 16) + ".json.gz";
      String path = prefix + DAY_PATH.format(delivered) + "/" + file;
      byte[] json = records(body);
      n.bytes += writeGzip(fs, path, json);
      hourFiles.add(new String[] {path.substring(path.indexOf("AWSLogs/")), sha256(json)});
      n.events += body.size();
      n.files++;
      if (w % 12 == 11) {
        previousDigest = writeDigest(fs, org, a, region, windowStart + 300, hourFiles, previousDigest);
        hourFiles.clear();
        n.digests++;
      }
    }
  }

  /** What the flow logs of one account-region need. */
  private static final class Flows {
    final FlowWriter writer;
    final FlowWriter.Network network;
    final List<String> scanners;
    final Map<String, List<FlowRecord>> planned;

    Flows(FlowWriter writer, FlowWriter.Network network, List<String> scanners,
        Map<String, List<FlowRecord>> planned) {
      this.writer = writer;
      this.network = network;
      this.scanners = scanners;
      this.planned = planned;
    }
  }

  private void writeFlows(FileSystem fs, Account a, String region, long windowStart,
      double expected, Flows flows, Counters n) throws IOException {
    if (flowRatio <= 0 || flows.network.instances.isEmpty()) {
      return;
    }
    SplittableRandom r = new SplittableRandom(mix(seed ^ 0xF10F10L, a.id.hashCode(),
        region.hashCode(), windowStart));
    List<FlowRecord> records = FlowWriter.background(a, region, flows.network, windowStart,
        expected, flows.scanners, r);
    records.addAll(flows.planned.getOrDefault(a.id + "/" + region + "/" + (windowStart / 300),
        List.of()));
    if (records.isEmpty()) {
      return;
    }
    String key = flows.writer.key(a, region, flows.network, Instant.ofEpochSecond(windowStart), r);
    n.bytes += writeGzip(fs, raw + "/" + key, flows.writer.body(records));
    n.flowFiles++;
    n.flowRecords += records.size();
  }

  /** Internet scanners active on a day; they probe every account's public addresses. */
  private List<String> scanners(LocalDate day) {
    SplittableRandom r = new SplittableRandom(mix(seed, 0x5CA77E4L, day.toEpochDay(), 0));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      out.add(Org.publicIp(r, false));
    }
    return out;
  }

  private static final Object[][] BACKGROUND_FINDINGS = {
      {"Recon:EC2/PortProbeUnprotectedPort", FindingFactory.Resource.INSTANCE, 2.0, 6},
      {"UnauthorizedAccess:EC2/SSHBruteForce", FindingFactory.Resource.INSTANCE, 2.0, 5},
      {"Policy:IAMUser/RootCredentialUsage", FindingFactory.Resource.ACCESS_KEY, 2.0, 1},
      {"CryptoCurrency:EC2/BitcoinTool.B!DNS", FindingFactory.Resource.INSTANCE, 8.0, 1},
      {"Discovery:S3/MaliciousIPCaller", FindingFactory.Resource.S3_BUCKET, 5.0, 1},
      {"Discovery:Kubernetes/MaliciousIPCaller", FindingFactory.Resource.EKS, 5.0, 1},
      {"Backdoor:Lambda/C&CActivity.B", FindingFactory.Resource.LAMBDA, 8.0, 1},
      {"CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin", FindingFactory.Resource.RDS, 8.0, 1},
      {"CryptoCurrency:Runtime/BitcoinTool.B", FindingFactory.Resource.ECS, 8.0, 1},
      {"Execution:Runtime/ReverseShell", FindingFactory.Resource.CONTAINER, 8.0, 1},
      {"Execution:Runtime/NewBinaryExecuted", FindingFactory.Resource.RUNTIME, 5.0, 1},
      {"Impact:EC2/PortSweep", FindingFactory.Resource.INSTANCE, 9.0, 1}};

  /** A day's background findings of one account: scanner probes mostly, some of every family. */
  private List<Scenario.FindingExport> backgroundFindings(Account a, LocalDate day,
      List<String> scanners, Instant spanEnd, FindingFactory factory) {
    List<Scenario.FindingExport> out = new ArrayList<>();
    if (findingsPerDay <= 0 || a.instances.isEmpty()) {
      return out;
    }
    SplittableRandom r = new SplittableRandom(mix(seed, a.id.hashCode(), 0x6D6D, day.toEpochDay()));
    int k = poisson(r, findingsPerDay);
    int totalWeight = 0;
    for (Object[] f : BACKGROUND_FINDINGS) {
      totalWeight += (Integer) f[3];
    }
    long dayStart = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    for (int i = 0; i < k; i++) {
      int x = r.nextInt(totalWeight);
      Object[] pick = BACKGROUND_FINDINGS[0];
      for (Object[] f : BACKGROUND_FINDINGS) {
        x -= (Integer) f[3];
        if (x < 0) {
          pick = f;
          break;
        }
      }
      FindingFactory.Spec s = new FindingFactory.Spec();
      s.type = (String) pick[0];
      s.resource = (FindingFactory.Resource) pick[1];
      s.severity = (Double) pick[2];
      s.account = a;
      s.instance = a.instances.get(r.nextInt(a.instances.size()));
      s.region = s.instance.region;
      s.principal = s.type.contains("Root") ? a.principals.get(a.principals.size() - 2)
          : a.principals.get(0);
      s.remoteIp = s.type.startsWith("Recon:EC2") || s.type.contains("BruteForce")
          || s.type.contains("PortSweep") ? scanners.get(r.nextInt(scanners.size())) : null;
      s.createdAt = Instant.ofEpochSecond(dayStart + r.nextInt(86400 - 600));
      s.id = Ids.hex(r, 32);
      int versions = r.nextInt(10) < 3 ? 2 + r.nextInt(2) : 1;
      for (int v = 0; v < versions; v++) {
        s.updatedAt = s.createdAt.plusSeconds(6L * 3600 * v);
        s.count = 1 + v * (1L + r.nextInt(20));
        Instant exported = s.updatedAt.plusSeconds(300);
        if (exported.isAfter(spanEnd)) {
          break;
        }
        out.add(new Scenario.FindingExport(a.id, s.region, exported, factory.write(s, r)));
      }
    }
    return out;
  }

  /** Writes finding exports, one JSON Lines file per account, region and 5-minute export window. */
  private void writeFindings(FileSystem fs, List<Scenario.FindingExport> exports, Counters n)
      throws IOException {
    Map<String, List<Scenario.FindingExport>> files = new java.util.TreeMap<>();
    for (Scenario.FindingExport e : exports) {
      files.computeIfAbsent(windowKey(e.accountId, e.region, e.exportedAt), k -> new ArrayList<>())
          .add(e);
    }
    for (Map.Entry<String, List<Scenario.FindingExport>> f : files.entrySet()) {
      Scenario.FindingExport first = f.getValue().get(0);
      SplittableRandom r = new SplittableRandom(mix(seed, f.getKey().hashCode(), 0x6D, 1));
      String path = raw + "/AWSLogs/" + first.accountId + "/GuardDuty/" + first.region + "/"
          + DAY_PATH.format(first.exportedAt) + "/" + Ids.uuid(r) + ".jsonl.gz";
      StringBuilder body = new StringBuilder();
      for (Scenario.FindingExport e : f.getValue()) {
        body.append(e.json).append('\n');
        n.findings++;
      }
      n.bytes += writeGzip(fs, path, body.toString().getBytes(StandardCharsets.UTF_8));
      n.findingFiles++;
    }
  }

  private void writeInsights(FileSystem fs, Org org, Account a, LocalDate day, EventCatalog catalog,
      Counters n) throws IOException {
    SplittableRandom r = new SplittableRandom(mix(seed, a.id.hashCode(), 17, day.toEpochDay()));
    if (r.nextInt(2) == 0) {
      return;
    }
    Instant startT = day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(3600L * (8 + r.nextInt(8)));
    Instant endT = startT.plusSeconds(60L * (5 + r.nextInt(40)));
    String shared = Ids.uuid(r);
    EventCatalog.Api api = catalog.pick(r, "ec2");
    List<String> body = new ArrayList<>();
    for (String state : new String[] {"Start", "End"}) {
      Instant t = state.equals("Start") ? startT : endT;
      body.add("{\"eventVersion\":\"1.08\",\"eventTime\":\"" + DateTimeFormatter.ISO_INSTANT.format(t)
          + "\",\"awsRegion\":\"us-east-1\",\"eventID\":\"" + Ids.uuid(r) + "\",\"eventType\":"
          + "\"AwsCloudTrailInsight\",\"recipientAccountId\":\"" + a.id + "\",\"sharedEventID\":\""
          + shared + "\",\"insightDetails\":{\"state\":\"" + state + "\",\"eventSource\":\""
          + api.eventSource + "\",\"eventName\":\"" + api.eventName + "\",\"insightType\":"
          + "\"ApiCallRateInsight\",\"insightContext\":{\"statistics\":{\"baseline\":{\"average\":"
          + (0.5 + r.nextInt(20) / 10.0) + "},\"insight\":{\"average\":" + (20 + r.nextInt(200))
          + ".0}" + (state.equals("End") ? ",\"insightDuration\":" + (endT.getEpochSecond()
          - startT.getEpochSecond()) / 60 : "") + "}}},\"eventCategory\":\"Insight\"}");
    }
    Instant delivered = endT.plusSeconds(1800);
    String path = raw + "/AWSLogs/" + org.orgId + "/" + a.id + "/CloudTrail-Insight/us-east-1/"
        + DAY_PATH.format(delivered) + "/" + a.id + "_CloudTrail-Insight_us-east-1_"
        + KEY_TIME.format(delivered) + "_" + Ids.alnum(r, 16) + ".json.gz";
    n.bytes += writeGzip(fs, path, records(body));
    n.insights++;
    n.files++;
    n.events += 2;
  }

  /** Hourly digest with real SHA-256 hashes of the logs; the signature is a placeholder. */
  private String writeDigest(FileSystem fs, Org org, Account a, String region, long endEpoch,
      List<String[]> files, String previous) throws IOException {
    Instant end = Instant.ofEpochSecond(endEpoch);
    String bucket = "org-cloudtrail-" + org.orgId.substring(2);
    String key = "AWSLogs/" + org.orgId + "/" + a.id + "/CloudTrail-Digest/" + region + "/"
        + DAY_PATH.format(end) + "/" + a.id + "_CloudTrail-Digest_" + region + "_" + a.trailName
        + "_us-east-1_" + DIGEST_TIME.format(end) + ".json.gz";
    StringBuilder b = new StringBuilder();
    b.append("{\"awsAccountId\":\"").append(a.id).append("\",\"digestStartTime\":\"")
        .append(DateTimeFormatter.ISO_INSTANT.format(end.minusSeconds(3600)))
        .append("\",\"digestEndTime\":\"").append(DateTimeFormatter.ISO_INSTANT.format(end))
        .append("\",\"digestS3Bucket\":\"").append(bucket).append("\",\"digestS3Object\":\"").append(key)
        .append("\",\"digestPublicKeyFingerprint\":\"").append(HexFormat.of().formatHex(new byte[16]))
        .append("\",\"digestSignatureAlgorithm\":\"SHA256withRSA\",\"previousDigestS3Bucket\":")
        .append(previous == null ? "null" : "\"" + bucket + "\"")
        .append(",\"previousDigestS3Object\":").append(previous == null ? "null" : "\"" + previous + "\"")
        .append(",\"previousDigestHashValue\":null,\"previousDigestHashAlgorithm\":null,"
            + "\"previousDigestSignature\":null,\"logFiles\":[");
    for (int i = 0; i < files.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"s3Bucket\":\"").append(bucket).append("\",\"s3Object\":\"").append(files.get(i)[0])
          .append("\",\"hashValue\":\"").append(files.get(i)[1]).append("\",\"hashAlgorithm\":\"SHA-256\"}");
    }
    b.append("]}");
    writeGzip(fs, raw + "/" + key, b.toString().getBytes(StandardCharsets.UTF_8));
    return key;
  }

  private static byte[] records(List<String> body) {
    StringBuilder b = new StringBuilder(body.size() * 1100 + 16).append("{\"Records\":[");
    for (int i = 0; i < body.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(body.get(i));
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Writes gzip; returns the compressed size. */
  private static long writeGzip(FileSystem fs, String path, byte[] json) throws IOException {
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(json.length / 6 + 64);
    try (OutputStream gz = new GZIPOutputStream(buf, 1 << 16)) {
      gz.write(json);
    }
    try (OutputStream out = fs.create(new Path(path), true)) {
      buf.writeTo(out);
    }
    return buf.size();
  }

  private static void writeBytes(FileSystem fs, String path, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(new Path(path), true)) {
      out.write(bytes);
    }
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isGlobal(String service) {
    for (String g : GLOBAL) {
      if (g.equals(service)) {
        return true;
      }
    }
    return false;
  }

  private static String regionalFallback(Principal p) {
    for (String s : p.services) {
      if (!isGlobal(s)) {
        return s;
      }
    }
    return "sts";
  }

  private static Principal pickPrincipal(SplittableRandom r, Account a, int hour) {
    double total = 0;
    double[] w = new double[a.principals.size()];
    for (int i = 0; i < w.length; i++) {
      Principal p = a.principals.get(i);
      boolean working = hour >= p.startHour && hour < p.endHour;
      w[i] = p.weight * (working ? 1.0 : 0.03);
      total += w[i];
    }
    double x = r.nextDouble() * total;
    for (int i = 0; i < w.length; i++) {
      x -= w[i];
      if (x <= 0) {
        return a.principals.get(i);
      }
    }
    return a.principals.get(w.length - 1);
  }

  private static void maybeError(SplittableRandom r, RecordFactory.Spec s) {
    EventCatalog.Api api = s.api;
    double x = r.nextDouble();
    if (api.eventName.equals("ConsoleLogin")) {
      if (x < 0.06) {
        s.consoleFailure = true;
        s.errorMessage = "Failed authentication";
      }
      return;
    }
    if (x < 0.015) {
      String who = s.principal.kind == PrincipalKind.SERVICE ? "service" : s.principal.name;
      switch (api.service) {
        case "ec2":
          s.errorCode = "Client.UnauthorizedOperation";
          s.errorMessage = "You are not authorized to perform this operation. User: " + who
              + " is not authorized to perform: ec2:" + api.eventName;
          break;
        case "kms":
        case "secretsmanager":
        case "lambda":
          s.errorCode = "AccessDeniedException";
          s.errorMessage = "User: " + who + " is not authorized to perform: " + api.service + ":"
              + api.eventName;
          break;
        default:
          s.errorCode = "AccessDenied";
          s.errorMessage = "User: " + who + " is not authorized to perform: " + api.service + ":"
              + api.eventName + " because no identity-based policy allows the action";
      }
    } else if (x < 0.022 && api.readOnly) {
      s.errorCode = api.service.equals("ec2") ? "Client.RequestLimitExceeded" : "ThrottlingException";
      s.errorMessage = "Rate exceeded";
    } else if (x < 0.027 && api.service.equals("iam") && api.eventName.startsWith("Get")) {
      s.errorCode = "NoSuchEntityException";
      s.errorMessage = "The user with name unknown-user cannot be found.";
    }
  }

  /** The home region carries global services, so it is busier. */
  private static double regionWeight(String region) {
    return region.equals("us-east-1") ? 1.4 : 0.7;
  }

  private static double diurnal(int hour) {
    // mean 1.0 over 24 h: busier 08-18 UTC
    return hour >= 8 && hour < 18 ? 1.57 : 0.6;
  }

  static int poisson(SplittableRandom r, double lambda) {
    if (lambda <= 0) {
      return 0;
    }
    if (lambda > 30) {
      double g = r.nextGaussian() * Math.sqrt(lambda) + lambda;
      return (int) Math.max(0, Math.round(g));
    }
    double l = Math.exp(-lambda);
    int k = 0;
    double p = 1;
    do {
      k++;
      p *= r.nextDouble();
    } while (p > l);
    return k - 1;
  }

  private static <T> void shuffle(List<T> list, SplittableRandom r) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  private static long mix(long a, long b, long c, long d) {
    long h = a * 0x9E3779B97F4A7C15L;
    h ^= b + 0x632BE59BD9B4E019L + (h << 6) + (h >>> 2);
    h ^= c + 0x85157AF5L + (h << 6) + (h >>> 2);
    h ^= d * 0xC2B2AE3D27D4EB4FL + (h << 6) + (h >>> 2);
    return h;
  }
}
