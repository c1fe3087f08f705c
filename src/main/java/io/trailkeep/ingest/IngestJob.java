package io.trailkeep.ingest;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.schema.Source;
import io.trailkeep.ingest.cloudtrail.CloudTrailFormat;
import io.trailkeep.ingest.guardduty.GuardDutyFormat;
import io.trailkeep.ingest.vpcflow.VpcFlowFormat;
import io.trailkeep.job.CrashPoints;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.storage.AwsLogKeys;
import io.trailkeep.storage.HadoopRawStore;
import io.trailkeep.storage.RawFile;
import io.trailkeep.storage.RawStore;
import io.trailkeep.storage.S3Clients;
import io.trailkeep.storage.S3RawStore;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * The ingest action: finds raw files under a raw root that the manifest does not mark done
 * ({@link Discovery}) and lands them in the lake, one {@link IngestBatch} per source table, then
 * commits the run's manifest entries once, after every table.
 *
 * <p>Modes: incremental (the default; lists the recent window), {@link #reconcile} (lists the
 * whole range and reports what the incremental window missed), {@link #retryQuarantined}
 * (re-reads quarantined files with the current parser). Files our own code fails on are reported,
 * not marked done, and retried by the next run; such a run ends {@code partial} (exit 1).
 *
 * <p>Options: {@link ConfKey#RAW}, {@code ingest.*} keys (see {@link #keys()}).
 */
public final class IngestJob extends JobAction<IngestJob, IngestJob.Result> {

  /** Formats per source, in the {@link Source} registry's order. */
  private static final Map<String, SourceFormat> FORMATS = formats();

  private static Map<String, SourceFormat> formats() {
    Map<String, SourceFormat> m = new LinkedHashMap<>();
    Map<String, SourceFormat> byName = new LinkedHashMap<>();
    for (SourceFormat f : List.of(new CloudTrailFormat(), new VpcFlowFormat(), new GuardDutyFormat())) {
      byName.put(f.source(), f);
    }
    for (Source s : Source.values()) {
      SourceFormat f = byName.get(s.ingestName());
      if (f == null) {
        throw new IllegalStateException("no ingest format for the source " + s.ingestName());
      }
      m.put(s.ingestName(), f);
    }
    return Collections.unmodifiableMap(m);
  }

  /** Source names accepted by {@code ingest.source}. */
  public static Set<String> knownSources() {
    return FORMATS.keySet();
  }

  /** Which files a run considers. */
  public enum Mode {
    INCREMENTAL, RECONCILE, RETRY_QUARANTINED;

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Map<String, SourceFormat> formats = new LinkedHashMap<>(FORMATS);
  private Mode mode = Mode.INCREMENTAL;
  private LocalDate from;
  private LocalDate to;

  private IngestJob(Lake lake) {
    super("ingest", lake);
  }

  /** An ingest into {@code lake}. */
  public static IngestJob into(Lake lake) {
    return new IngestJob(lake);
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of(ConfKey.RAW, ConfKey.INGEST_SOURCES, ConfKey.INGEST_FILES_PER_TASK,
        ConfKey.INGEST_LOOKBACK_DAYS, ConfKey.INGEST_MAX_FILE_BYTES, ConfKey.QUARANTINE_RAW_CHARS);
  }

  @Override
  protected String description() {
    return "TrailKeep ingest (" + mode.label() + ") of " + get(ConfKey.RAW);
  }

  /** Root holding {@code AWSLogs/}. */
  public IngestJob raw(String rawRoot) {
    return set(ConfKey.RAW, rawRoot);
  }

  /** Sources to ingest: {@code all} or a comma-separated subset of {@link #knownSources()}. */
  public IngestJob sources(String spec) {
    return set(ConfKey.INGEST_SOURCES, spec);
  }

  /** Raw files per Spark task. */
  public IngestJob filesPerTask(int n) {
    return set(ConfKey.INGEST_FILES_PER_TASK, n);
  }

  /** Days before the last ingested day that an incremental run lists again. */
  public IngestJob lookbackDays(int days) {
    return set(ConfKey.INGEST_LOOKBACK_DAYS, days);
  }

  /** Largest decompressed file parsed; larger ones are quarantined. */
  public IngestJob maxFileBytes(long n) {
    return set(ConfKey.INGEST_MAX_FILE_BYTES, n);
  }

  /** Raw text kept per quarantine row. */
  public IngestJob quarantineRawChars(int n) {
    return set(ConfKey.QUARANTINE_RAW_CHARS, n);
  }

  /** Lists every day (or [from, to]) instead of the incremental window; see {@link Discovery}. */
  public IngestJob reconcile(LocalDate first, LocalDate last) {
    return mode(Mode.RECONCILE, first, last);
  }

  /** Re-reads the files whose state is quarantined or partial, delivered within [from, to]. */
  public IngestJob retryQuarantined(LocalDate first, LocalDate last) {
    return mode(Mode.RETRY_QUARANTINED, first, last);
  }

  private IngestJob mode(Mode m, LocalDate first, LocalDate last) {
    if (first != null && last != null && first.isAfter(last)) {
      throw new ConfException("--from " + first + " is after --to " + last);
    }
    this.mode = m;
    this.from = first;
    this.to = last;
    return this;
  }

  /** Replaces the parser of a source (tests inject a failing one). */
  IngestJob format(SourceFormat format) {
    formats.put(format.source(), format);
    return this;
  }

  private Set<String> sources() {
    Set<String> s = new LinkedHashSet<>();
    for (String part : get(ConfKey.INGEST_SOURCES).split(",")) {
      String name = part.trim();
      if (name.equals("all")) {
        s.addAll(formats.keySet());
      } else {
        s.add(name);
      }
    }
    return s;
  }

  /** What the listing found and cost. */
  public record Listing(long filesSeen, long listRequests, long filesMissedByIncremental) {}

  /** Files and rows of one table in one run. */
  public record TableCounts(long files, long rowsWritten, long quarantined) {}

  /**
   * Counts of one ingest run. {@code objects_read} and {@code bytes_read} are measured in the
   * executors as raw objects are opened and their stored bytes fetched.
   */
  public record Result(String runId, String mode, @Json.Inline Listing listing, long filesSkipped,
      long filesRetried, @Json.Inline IngestBatch.Counts counts, List<String> failedFiles,
      Map<String, TableCounts> tables, String lake, double seconds) implements JobResult {
    public Result {
      failedFiles = List.copyOf(failedFiles);
      tables = Collections.unmodifiableMap(new TreeMap<>(tables));
    }

    @Override
    public String job() {
      return "ingest";
    }

    @Override
    public String status() {
      return failedFiles.isEmpty() ? "succeeded" : "partial";
    }

    public long filesSeen() {
      return listing.filesSeen();
    }

    public long filesIngested() {
      return counts.filesIngested();
    }

    public long filesQuarantined() {
      return counts.filesQuarantined();
    }

    public long filesFailed() {
      return counts.filesFailed();
    }

    public long recordsRead() {
      return counts.recordsRead();
    }

    public long rowsWritten() {
      return counts.rowsWritten();
    }

    public long duplicatesDropped() {
      return counts.duplicatesDropped();
    }

    public long quarantined() {
      return counts.quarantined();
    }

    public long keyConflicts() {
      return counts.keyConflicts();
    }

    public long objectsRead() {
      return counts.objectsRead();
    }

    public long bytesRead() {
      return counts.bytesRead();
    }

    public long listRequests() {
      return listing.listRequests();
    }

    public long filesMissedByIncremental() {
      return listing.filesMissedByIncremental();
    }
  }

  @Override
  protected Result run(Run run) {
    Lake lake = lake();
    String raw = Lake.absolute(get(ConfKey.RAW));
    Set<String> sources = sources();
    run.progress().info("ingest (%s): listing %s", mode.label(), raw);
    List<RawFile> candidates;
    Listing listing;
    if (mode == Mode.RETRY_QUARANTINED) {
      candidates = Manifest.withStatus(lake, List.of("quarantined", "partial"), from, to);
      listing = new Listing(0, 0, 0);
    } else {
      Discovery.Found found;
      try (RawStore store = openStore(raw)) {
        found = new Discovery(lake, get(ConfKey.INGEST_LOOKBACK_DAYS)).discover(store,
            mode == Mode.RECONCILE ? Discovery.Mode.RECONCILE : Discovery.Mode.INCREMENTAL, from, to);
      }
      candidates = found.newFiles();
      listing = new Listing(found.filesSeen(), found.listRequests(), found.missedByIncremental());
      if (mode == Mode.RECONCILE) {
        run.progress().info("ingest: reconcile found %d files not ingested, %d of them outside the "
            + "incremental window", candidates.size(), found.missedByIncremental());
      }
    }
    run.progress().info("ingest: %d files seen, %d to ingest", listing.filesSeen(), candidates.size());
    IngestBatch.Settings settings = new IngestBatch.Settings(get(ConfKey.INGEST_FILES_PER_TASK),
        get(ConfKey.INGEST_MAX_FILE_BYTES), get(ConfKey.QUARANTINE_RAW_CHARS));
    IngestBatch.Counts total = IngestBatch.Counts.ZERO;
    Map<String, TableCounts> perTable = new TreeMap<>();
    List<Manifest.Entry> manifest = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    boolean retry = mode == Mode.RETRY_QUARANTINED;
    for (String source : sources) {
      SourceFormat format = formats.get(source);
      Map<String, List<RawFile>> byTable = new TreeMap<>();
      for (RawFile f : candidates) {
        if (format.accepts(f)) {
          byTable.computeIfAbsent(format.tableFor(f), t -> new ArrayList<>()).add(f);
        }
      }
      for (Map.Entry<String, List<RawFile>> e : byTable.entrySet()) {
        IngestBatch.Outcome o = IngestBatch.run(lake, run, settings, format, e.getKey(),
            e.getValue(), retry);
        total = total.plus(o.counts());
        manifest.addAll(o.manifest());
        failed.addAll(o.failures());
        perTable.put(e.getKey(), new TableCounts(e.getValue().size(), o.counts().rowsWritten(),
            o.counts().quarantined()));
      }
    }
    long skipped = 0;
    if (!retry) {
      for (RawFile f : candidates) {
        boolean digest = f.kind == AwsLogKeys.Kind.CLOUDTRAIL_DIGEST && sources.contains(f.kind.source);
        if (digest || f.kind == AwsLogKeys.Kind.UNKNOWN) {
          skipped++;
          manifest.add(new Manifest.Entry(f, f.kind.source, 0, 0,
              f.kind == AwsLogKeys.Kind.UNKNOWN ? "unrecognized" : "skipped", null));
        }
      }
    }
    // one manifest commit per run, after every data commit of the run
    Manifest.append(lake, manifest, run.runId(), run.runId() + "/" + ManifestTable.NAME);
    CrashPoints.reach("ingest.manifest.committed");
    Result result = new Result(run.runId(), mode.label(), listing, skipped,
        retry ? candidates.size() : 0, total, failed, perTable, lake.root(), run.seconds());
    if (!failed.isEmpty()) {
      run.progress().info("ingest: %d files failed in our code and will be retried by the next run; "
          + "first: %s", failed.size(), failed.get(0));
    }
    run.progress().info("ingest: done in %.1fs", result.seconds());
    return result;
  }

  private RawStore openStore(String raw) {
    Configuration hadoop = lake().spark().sparkContext().hadoopConfiguration();
    return S3Clients.isS3(raw) ? new S3RawStore(raw, hadoop) : new HadoopRawStore(raw, hadoop);
  }
}
