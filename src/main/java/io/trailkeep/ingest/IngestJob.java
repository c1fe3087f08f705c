package io.trailkeep.ingest;

import io.trailkeep.conf.ConfException;
import io.trailkeep.ingest.cloudtrail.CloudTrailFormat;
import io.trailkeep.ingest.guardduty.GuardDutyFormat;
import io.trailkeep.ingest.vpcflow.VpcFlowFormat;
import io.trailkeep.job.JobResult;
import io.trailkeep.job.Progress;
import io.trailkeep.job.RunHistory;
import io.trailkeep.lake.Lake;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;

/**
 * The ingest action: discovers new raw files under a raw root and lands them in the lake (see
 * {@link IngestPipeline} for cost and crash safety). Built with typed setters; every option has a
 * default, and {@link #option(String, String)} rejects keys it does not know. Runs under the Spark
 * job group {@code trailkeep-ingest-<run id>} and appends its {@link Result} to run_history.
 */
public final class IngestJob {

  /** Formats per source, in processing order. */
  private static final Map<String, List<SourceFormat>> FORMATS = formats();

  private static Map<String, List<SourceFormat>> formats() {
    Map<String, List<SourceFormat>> m = new LinkedHashMap<>();
    m.put("cloudtrail", List.of(new CloudTrailFormat()));
    m.put("vpcflow", List.of(new VpcFlowFormat()));
    m.put("guardduty", List.of(new GuardDutyFormat()));
    return Collections.unmodifiableMap(m);
  }

  /** Source names accepted by {@link #sources}. */
  public static Set<String> knownSources() {
    return FORMATS.keySet();
  }

  private final Lake lake;
  private String raw;
  private Set<String> sources = new LinkedHashSet<>(FORMATS.keySet());
  private int filesPerTask = 256;
  private int lookbackDays = 2;
  private long maxFileBytes = 1L << 30;
  private int quarantineRawChars = 8192;
  private Progress progress = Progress.silent();

  private IngestJob(Lake lake) {
    this.lake = lake;
  }

  /** An ingest into {@code lake}. */
  public static IngestJob into(Lake lake) {
    return new IngestJob(lake);
  }

  /** Root holding {@code AWSLogs/}; required. */
  public IngestJob raw(String rawRoot) {
    this.raw = rawRoot;
    return this;
  }

  /** Sources to ingest: {@code all} or a comma-separated subset of {@link #knownSources()}. Default all. */
  public IngestJob sources(String spec) {
    Set<String> s = new LinkedHashSet<>();
    for (String part : spec.split(",")) {
      String name = part.trim();
      if (name.equals("all")) {
        s.addAll(FORMATS.keySet());
      } else if (FORMATS.containsKey(name)) {
        s.add(name);
      } else {
        throw new ConfException("unknown source '" + name + "'; use one of " + FORMATS.keySet()
            + " or all");
      }
    }
    this.sources = s;
    return this;
  }

  /** Raw files per Spark task (at least two tasks per core when there are enough files). Default 256. */
  public IngestJob filesPerTask(int n) {
    if (n < 1) {
      throw new ConfException("ingest.files-per-task must be at least 1");
    }
    this.filesPerTask = n;
    return this;
  }

  /** Days before the last ingested day that are listed again for late deliveries. Default 2. */
  public IngestJob lookbackDays(int days) {
    if (days < 0) {
      throw new ConfException("ingest.lookback-days must be 0 or more");
    }
    this.lookbackDays = days;
    return this;
  }

  /** Largest decompressed file parsed; larger ones are quarantined. Default 1 GiB. */
  public IngestJob maxFileBytes(long n) {
    this.maxFileBytes = n;
    return this;
  }

  /** Raw text kept per quarantine row. Default 8192 characters. */
  public IngestJob quarantineRawChars(int n) {
    this.quarantineRawChars = n;
    return this;
  }

  public IngestJob progress(Progress p) {
    this.progress = p;
    return this;
  }

  /** Sets an option by its configuration key name; unknown keys are rejected. */
  public IngestJob option(String key, String value) {
    switch (key) {
      case "raw":
        return raw(value);
      case "ingest.source":
        return sources(value);
      case "ingest.files-per-task":
        return filesPerTask(Integer.parseInt(value));
      case "ingest.lookback-days":
        return lookbackDays(Integer.parseInt(value));
      case "ingest.max-file-bytes":
        return maxFileBytes(Long.parseLong(value));
      case "ingest.quarantine-raw-chars":
        return quarantineRawChars(Integer.parseInt(value));
      default:
        throw new ConfException("ingest has no option '" + key + "'");
    }
  }

  /** Runs the ingest. */
  public Result execute() {
    if (raw == null) {
      throw new ConfException("ingest needs --raw (the root that holds AWSLogs/)");
    }
    Instant started = Instant.now();
    String runId = RunHistory.newRunId(started);
    lake.spark().sparkContext().setJobGroup("trailkeep-ingest-" + runId, "TrailKeep ingest " + raw,
        false);
    try {
      progress.info("ingest: listing %s", raw);
      Discovery.Found found;
      try (RawStore store = openStore()) {
        found = new Discovery(lake, lookbackDays).discover(store);
      }
      progress.info("ingest: %d files seen, %d new", found.filesSeen, found.newFiles.size());
      IngestPipeline pipeline = new IngestPipeline(lake, progress, filesPerTask, maxFileBytes,
          quarantineRawChars);
      IngestPipeline.BatchCounts total = new IngestPipeline.BatchCounts();
      Map<String, Map<String, Object>> perTable = new TreeMap<>();
      List<RawFile> skipped = new ArrayList<>();
      List<Row> manifest = new ArrayList<>();
      for (String source : sources) {
        for (SourceFormat format : FORMATS.get(source)) {
          Map<String, List<RawFile>> byTable = new TreeMap<>();
          for (RawFile f : found.newFiles) {
            if (format.accepts(f)) {
              byTable.computeIfAbsent(format.tableFor(f), t -> new ArrayList<>()).add(f);
            }
          }
          for (Map.Entry<String, List<RawFile>> e : byTable.entrySet()) {
            IngestPipeline.BatchCounts c = pipeline.ingest(format, e.getKey(), e.getValue(), runId,
                manifest);
            total.add(c);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("files", (long) e.getValue().size());
            t.put("rows_written", c.rowsWritten);
            t.put("quarantined", c.quarantined);
            perTable.put(e.getKey(), t);
          }
        }
      }
      for (RawFile f : found.newFiles) {
        boolean digest = f.kind == RawFile.Kind.CLOUDTRAIL_DIGEST && sources.contains(f.kind.source);
        if (digest || f.kind == RawFile.Kind.UNKNOWN) {
          skipped.add(f);
        }
      }
      manifest.addAll(skippedRows(skipped, runId));
      // one manifest commit per run, after every data commit of the run
      IngestPipeline.appendManifest(lake, manifest);
      double seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
      Result result = new Result(found.filesSeen, total.filesIngested, skipped.size(),
          total.filesQuarantined, total.recordsRead, total.rowsWritten, total.duplicatesDropped,
          total.quarantined, total.keyConflicts, total.bytesRead, found.listRequests,
          total.filesIngested + total.filesQuarantined, seconds, perTable,
          lake.root(), runId);
      RunHistory.record(lake, runId, "ingest", started, "succeeded", options(), result);
      progress.info("ingest: done in %.1fs", seconds);
      return result;
    } finally {
      lake.spark().sparkContext().clearJobGroup();
    }
  }

  private RawStore openStore() {
    org.apache.hadoop.conf.Configuration hadoop = lake.spark().sparkContext().hadoopConfiguration();
    return io.trailkeep.s3.S3Clients.isS3(raw) ? new io.trailkeep.s3.S3RawStore(raw, hadoop)
        : new HadoopRawStore(raw, hadoop);
  }

  private static List<Row> skippedRows(List<RawFile> skipped, String runId) {
    List<Row> rows = new ArrayList<>();
    Timestamp now = Timestamp.from(Instant.now());
    for (RawFile f : skipped) {
      String status = f.kind == RawFile.Kind.UNKNOWN ? "unrecognized" : "skipped";
      rows.add(IngestPipeline.manifestRow(f, f.kind.source, 0, 0, status, runId, now));
    }
    return rows;
  }

  private Map<String, String> options() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("raw", raw);
    o.put("lake", lake.root());
    o.put("ingest.source", String.join(",", sources));
    o.put("ingest.files-per-task", String.valueOf(filesPerTask));
    o.put("ingest.lookback-days", String.valueOf(lookbackDays));
    return o;
  }

  /** Counts of one ingest run. Immutable. */
  public static final class Result implements JobResult {
    public final long filesSeen;
    public final long filesIngested;
    public final long filesSkipped;
    public final long filesQuarantined;
    public final long recordsRead;
    public final long rowsWritten;
    public final long duplicatesDropped;
    public final long quarantined;
    public final long keyConflicts;
    public final long bytesRead;
    public final long listRequests;
    public final long getRequests;
    public final double seconds;
    public final Map<String, Map<String, Object>> tables;
    public final String lake;
    public final String runId;

    Result(long filesSeen, long filesIngested, long filesSkipped, long filesQuarantined,
        long recordsRead, long rowsWritten, long duplicatesDropped, long quarantined,
        long keyConflicts, long bytesRead, long listRequests, long getRequests, double seconds, Map<String, Map<String, Object>> tables, String lake,
        String runId) {
      this.filesSeen = filesSeen;
      this.filesIngested = filesIngested;
      this.filesSkipped = filesSkipped;
      this.filesQuarantined = filesQuarantined;
      this.recordsRead = recordsRead;
      this.rowsWritten = rowsWritten;
      this.duplicatesDropped = duplicatesDropped;
      this.quarantined = quarantined;
      this.keyConflicts = keyConflicts;
      this.bytesRead = bytesRead;
      this.listRequests = listRequests;
      this.getRequests = getRequests;
      this.seconds = seconds;
      this.tables = Collections.unmodifiableMap(new TreeMap<>(tables));
      this.lake = lake;
      this.runId = runId;
    }

    @Override
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("job", "ingest");
      m.put("run_id", runId);
      m.put("files_seen", filesSeen);
      m.put("files_ingested", filesIngested);
      m.put("files_skipped", filesSkipped);
      m.put("files_quarantined", filesQuarantined);
      m.put("records_read", recordsRead);
      m.put("rows_written", rowsWritten);
      m.put("duplicates_dropped", duplicatesDropped);
      m.put("quarantined", quarantined);
      m.put("key_conflicts", keyConflicts);
      m.put("bytes_read", bytesRead);
      m.put("list_requests", listRequests);
      m.put("get_requests", getRequests);
      m.put("seconds", seconds);
      m.put("tables", tables);
      m.put("lake", lake);
      return m;
    }
  }
}
