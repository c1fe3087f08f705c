package io.trailkeep.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.trailkeep.correlate.ActivityQuery;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.ingest.RawFile;
import io.trailkeep.ingest.RecordSink;
import io.trailkeep.ingest.cloudtrail.CloudTrailFormat;
import io.trailkeep.job.JobResult;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import io.trailkeep.maintain.MaintainJob;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.JsonSpec;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The benchmark harness: on a generated data set (cached per size and seed) it measures, in one
 * run and side by side, (1) parsing alone - Java gunzip, Jackson token streaming, TrailKeep's
 * parser - on one core; (2) ingest end to end, TrailKeep against Spark's own JSON reader
 * (multiLine, explicit schema, explode, Delta write), interleaved and repeated; (3) investigation
 * queries on the maintained lake against Spark scanning the raw files. Writes nothing outside
 * its work directory. Costs minutes; not part of the test suite.
 */
public final class BenchJob {
  private final SparkSession spark;
  private final Path dir;
  private long events = 200_000;
  private int days = 3;
  private int repeats = 2;
  private List<Integer> scalingCores = List.of(1, 2);
  /** The harness's steps, in the order they run. */
  public static final List<String> STEPS = List.of("parse", "ingest", "scaling", "queries");
  private java.util.Set<String> steps = new java.util.LinkedHashSet<>(STEPS);
  private Progress progress = Progress.silent();

  private BenchJob(SparkSession spark, Path dir) {
    this.spark = spark;
    this.dir = dir;
  }

  public static BenchJob in(SparkSession spark, Path dir) {
    return new BenchJob(spark, dir);
  }

  /** Events in the data set; default 200,000. */
  public BenchJob events(long n) {
    this.events = n;
    return this;
  }

  /** Days the data set spans; default 3. */
  public BenchJob days(int d) {
    this.days = d;
    return this;
  }

  /** Repetitions of each timed step; the best is reported. Default 2. */
  public BenchJob repeats(int r) {
    this.repeats = Math.max(1, r);
    return this;
  }

  /** Which of {@link #STEPS} to run; default all. Unknown names are rejected. */
  public BenchJob steps(List<String> names) {
    java.util.Set<String> chosen = new java.util.LinkedHashSet<>();
    for (String n : names) {
      if (!STEPS.contains(n)) {
        throw new io.trailkeep.conf.ConfException("bench has no step '" + n + "'; choose from "
            + String.join(", ", STEPS));
      }
      chosen.add(n);
    }
    if (chosen.isEmpty()) {
      throw new io.trailkeep.conf.ConfException("bench needs at least one step: "
          + String.join(", ", STEPS));
    }
    this.steps = chosen;
    return this;
  }

  /** Core counts of the scaling step's child ingests; empty skips it. Default 1 and 2. */
  public BenchJob scalingCores(List<Integer> cores) {
    for (int c : cores) {
      if (c < 1) {
        throw new io.trailkeep.conf.ConfException("scaling core counts must be at least 1, got " + c);
      }
    }
    this.scalingCores = List.copyOf(cores);
    return this;
  }

  public BenchJob progress(Progress p) {
    this.progress = p;
    return this;
  }

  /** Results: a nested map printed as JSON and as a table. */
  public static final class Result implements JobResult {
    private final Map<String, Object> map;

    Result(Map<String, Object> map) {
      this.map = java.util.Collections.unmodifiableMap(map);
    }

    @Override
    public Map<String, Object> toMap() {
      return map;
    }
  }

  public Result execute() throws IOException {
    Path raw = dir.resolve("raw-" + events + "-" + days);
    if (!Files.isDirectory(raw.resolve("AWSLogs"))) {
      progress.info("bench: generating %d events into %s (cached for later runs)", events, raw);
      Generator.with(new Configuration()).raw(raw.toString()).events(events).days(days).accounts(8).flowRatio(0).findingsPerDay(0)
          .seed(1234).start(LocalDate.of(2026, 10, 1)).progress(progress).execute();
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(raw.resolve("AWSLogs"))) {
      files = s.filter(p -> p.toString().contains("/CloudTrail/") && p.toString().endsWith(".json.gz"))
          .sorted().collect(Collectors.toList());
    }
    long compressed = 0;
    for (Path f : files) {
      compressed += Files.size(f);
    }
    int cores = spark.sparkContext().defaultParallelism();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("job", "bench");
    out.put("machine", machine(cores));
    out.put("data", Map.of("events", events, "files", (long) files.size(), "gzip_bytes", compressed));

    if (steps.contains("parse")) {
      out.put("parse_only_one_core", parseOnly(files));
    }
    if (steps.contains("ingest")) {
      Map<String, Object> ingest = ingest(raw, compressed, cores);
      out.put("ingest", ingest);
      out.put("ingest_speedup_vs_spark_json", ingest.get("speedup"));
    }
    if (steps.contains("scaling")) {
      out.put("scaling", scaling(raw));
    }
    if (steps.contains("queries")) {
      out.put("queries", queries(raw, compressed));
    }
    return new Result(out);
  }

  private Map<String, Object> machine(int cores) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores_available", Runtime.getRuntime().availableProcessors());
    m.put("spark_cores", cores);
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    m.put("java", System.getProperty("java.version"));
    m.put("spark", spark.version());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    return m;
  }

  // ---- parse only -------------------------------------------------------------------------

  private Map<String, Object> parseOnly(List<Path> files) throws IOException {
    List<byte[]> gz = new ArrayList<>();
    for (Path f : files) {
      gz.add(Files.readAllBytes(f));
    }
    JsonFactory json = new JsonFactory();
    long[] uncompressed = new long[1];
    double gunzip = best(() -> {
      long n = 0;
      byte[] buf = new byte[1 << 16];
      for (byte[] g : gz) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(g), 1 << 16)) {
          int r;
          while ((r = in.read(buf)) > 0) {
            n += r;
          }
        }
      }
      uncompressed[0] = n;
    });
    List<byte[]> plain = new ArrayList<>();
    for (byte[] g : gz) {
      try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(g))) {
        plain.add(in.readAllBytes());
      }
    }
    double tokens = best(() -> {
      for (byte[] p : plain) {
        try (JsonParser jp = json.createParser(p)) {
          while (jp.nextToken() != null) {
            if (jp.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
              jp.getText();
            }
          }
        }
      }
    });
    CloudTrailFormat format = new CloudTrailFormat();
    RawFile file = RawFile.classify("AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/x.json.gz", 0, 0);
    long[] records = new long[1];
    double ours = best(() -> {
      long n = 0;
      CountingSink sink = new CountingSink();
      for (byte[] p : plain) {
        format.parse(file, p, p.length, sink);
      }
      n += sink.records;
      records[0] = n;
    });
    double mb = uncompressed[0] / 1e6;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uncompressed_mb", mb);
    m.put("records", records[0]);
    m.put("gunzip_mb_s", mb / gunzip);
    m.put("jackson_tokens_mb_s", mb / tokens);
    m.put("trailkeep_parser_mb_s", mb / ours);
    m.put("trailkeep_parser_records_s", records[0] / ours);
    m.put("parser_vs_gunzip", gunzip / ours);
    progress.info("bench: parse only %s", m);
    return m;
  }

  private static final class CountingSink implements RecordSink {
    long records;

    @Override
    public void record(int position, Object[] values) {
      records++;
    }

    @Override
    public void quarantineRecord(int position, String reason, String rawText) {}

    @Override
    public void quarantine(int position, String reason, String rawText) {}
  }

  private interface Step {
    void run() throws IOException;
  }

  private double best(Step step) throws IOException {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < repeats; i++) {
      long t0 = System.nanoTime();
      step.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  // ---- ingest -------------------------------------------------------------------------------

  /** The baseline's schema: the same top-level record fields, free-form objects as strings. */
  static StructType baselineSchema() {
    List<StructField> fields = new ArrayList<>();
    for (StructField f : CloudTrailTable.RECORD.sparkType().fields()) {
      if (!f.name().equals(JsonSpec.EXTRA)) {
        fields.add(f);
      }
    }
    StructType record = DataTypes.createStructType(fields);
    return DataTypes.createStructType(new StructField[] {
        DataTypes.createStructField("Records", DataTypes.createArrayType(record), true)});
  }

  private Map<String, Object> ingest(Path raw, long compressed, int cores) throws IOException {
    double oursBest = Double.MAX_VALUE;
    double baseBest = Double.MAX_VALUE;
    long oursPeak = 0;
    long basePeak = 0;
    long rows = 0;
    long baseRows = 0;
    for (int i = 0; i < repeats; i++) {
      Path lake = Files.createTempDirectory(dir, "lake-ours");
      resetPeaks();
      long t0 = System.nanoTime();
      IngestJob.Result r = IngestJob.into(new Lake(spark, lake.toString())).raw(raw.toString())
          .sources("cloudtrail").execute();
      oursBest = Math.min(oursBest, (System.nanoTime() - t0) / 1e9);
      oursPeak = Math.max(oursPeak, peakHeap());
      rows = r.recordsRead;
      progress.info("bench: TrailKeep ingest run %d: %.1fs", i + 1, (System.nanoTime() - t0) / 1e9);

      Path baseLake = Files.createTempDirectory(dir, "lake-spark-json");
      resetPeaks();
      t0 = System.nanoTime();
      Dataset<Row> df = spark.read().option("multiLine", true).schema(baselineSchema())
          .json(raw.resolve("AWSLogs").toString() + "/*/*/CloudTrail/*/*/*/*/*.json.gz")
          .select(explode(col("Records")).alias("r")).select("r.*")
          .withColumn("event_date", to_date(col("eventTime")));
      df.write().format("delta").partitionBy("event_date").save(baseLake.toString());
      baseBest = Math.min(baseBest, (System.nanoTime() - t0) / 1e9);
      basePeak = Math.max(basePeak, peakHeap());
      baseRows = spark.read().format("delta").load(baseLake.toString()).count();
      progress.info("bench: Spark JSON reader run %d: %.1fs", i + 1, (System.nanoTime() - t0) / 1e9);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("records_read", rows);
    m.put("trailkeep_seconds", oursBest);
    m.put("trailkeep_records_s_per_core", rows / oursBest / cores);
    m.put("trailkeep_gzip_mb_s_per_core", compressed / 1e6 / oursBest / cores);
    m.put("trailkeep_peak_heap_mb", oursPeak >> 20);
    m.put("spark_json_seconds", baseBest);
    m.put("spark_json_records_s_per_core", baseRows / baseBest / cores);
    m.put("spark_json_peak_heap_mb", basePeak >> 20);
    m.put("speedup", baseBest / oursBest);
    progress.info("bench: ingest %s", m);
    return m;
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  // ---- scaling and memory -----------------------------------------------------------------

  /**
   * The same ingest in child JVMs with a 1 GiB heap, on local[1] and local[2]: the speedup of the
   * second core, and whether the data set ingests within 1 GiB. Each child ingests the data set
   * {@code repeats + 1} times into fresh lakes: the first run is cold (JIT compilation of Spark's
   * generated code competes with the tasks for the cores), the best of the others is warm, as in
   * the ingest step. The children inherit this JVM's class path and module options; their time
   * is the job's own (JVM start excluded).
   */
  private Map<String, Object> scaling(Path raw) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("heap", "1g");
    Map<Integer, Map<String, Object>> children = new LinkedHashMap<>();
    for (int cores : scalingCores) {
      children.put(cores, childIngest(raw, cores));
      m.put("local_" + cores, children.get(cores));
    }
    Map<String, Object> one = children.get(1);
    Map<String, Object> two = children.get(2);
    // a child that failed reports an error instead of its seconds
    if (one != null && two != null && one.get("warm_seconds") instanceof Number
        && two.get("warm_seconds") instanceof Number) {
      m.put("local2_vs_local1", ratio(one, two, "warm_seconds"));
      m.put("local2_vs_local1_cold", ratio(one, two, "cold_seconds"));
    }
    progress.info("bench: scaling %s", m);
    return m;
  }

  private static double ratio(Map<?, ?> slow, Map<?, ?> fast, String seconds) {
    return ((Number) slow.get(seconds)).doubleValue() / ((Number) fast.get(seconds)).doubleValue();
  }

  private Map<String, Object> childIngest(Path raw, int cores) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-Xmx") && !arg.startsWith("-Xms") && !arg.startsWith("-agentlib")
          && !arg.startsWith("-javaagent") && !arg.startsWith("-Xrunjdwp")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"),
        BenchJob.class.getName(), raw.toString(), dir.toString(), String.valueOf(cores),
        String.valueOf(repeats + 1)));
    Path log = dir.resolve("scaling-local" + cores + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
        .redirectError(log.toFile()).start();
    String last = null;
    try (java.io.BufferedReader r = new java.io.BufferedReader(
        new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        last = line;
      }
      int code = p.waitFor();
      Map<String, Object> out = new LinkedHashMap<>();
      if (code != 0 || last == null || !last.startsWith("{")) {
        out.put("error", "child ingest exited " + code + "; see " + log);
        return out;
      }
      com.fasterxml.jackson.databind.JsonNode json = io.trailkeep.schema.RecordJson.parse(last);
      long records = json.get("records_read").asLong();
      double warm = json.get("warm_seconds").asDouble();
      out.put("cold_seconds", json.get("cold_seconds").asDouble());
      out.put("warm_seconds", warm);
      out.put("records_read", records);
      out.put("warm_records_s", records / warm);
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while the child ingest ran", e);
    }
  }

  /**
   * Entry point of a scaling child: {@code RAW DIR CORES RUNS}. Ingests RAW's CloudTrail files
   * RUNS times, each into a fresh lake under DIR, on local[CORES] with the session TrailKeep's CLI
   * would build; prints one JSON line: the first run's seconds, the best of the others, records
   * read.
   */
  public static void main(String[] args) throws IOException {
    String raw = args[0];
    Path dir = Path.of(args[1]);
    int cores = Integer.parseInt(args[2]);
    int runs = Math.max(2, Integer.parseInt(args[3]));
    io.trailkeep.conf.TrailkeepConf conf = io.trailkeep.conf.TrailkeepConf.resolve(null,
        Map.of("master", "local[" + cores + "]"));
    try (io.trailkeep.spark.Sessions.Handle h = io.trailkeep.spark.Sessions.open(conf, "bench-scaling")) {
      double cold = 0;
      double warm = Double.MAX_VALUE;
      long records = 0;
      for (int i = 0; i < runs; i++) {
        Path lake = Files.createTempDirectory(dir, "lake-local" + cores + "-");
        IngestJob.Result r = IngestJob.into(new Lake(h.spark(), lake.toString())).raw(raw)
            .sources("cloudtrail").execute();
        records = r.recordsRead;
        if (i == 0) {
          cold = r.seconds;
        } else {
          warm = Math.min(warm, r.seconds);
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("cold_seconds", cold);
      out.put("warm_seconds", warm);
      out.put("records_read", records);
      System.out.println(io.trailkeep.job.Json.write(out));
    }
  }

  // ---- queries -------------------------------------------------------------------------------

  private Map<String, Object> queries(Path raw, long compressed) throws IOException {
    Path lakeDir = Files.createTempDirectory(dir, "lake-queries");
    Lake lake = new Lake(spark, lakeDir.toString());
    IngestJob.into(lake).raw(raw.toString()).sources("cloudtrail").execute();
    MaintainJob.on(lake).targetFileBytes(queryFileBytes(compressed)).execute();
    Dataset<Row> table = lake.read(CloudTrailTable.NAME);
    // the same rows, in the same files order, as plain Parquet partitioned by day
    Path parquetDir = lakeDir.resolve("parquet-copy");
    table.write().partitionBy(CloudTrailTable.PARTITION_COLUMN).parquet(parquetDir.toString());
    Dataset<Row> parquet = spark.read().parquet(parquetDir.toString());
    Row sample = table.filter(col("access_key_id").isNotNull().and(col("actor_type").equalTo("IAMUser")))
        .select("actor_principal", "access_key_id", "event_date", "account_id", "awsRegion").first();
    String rawGlob = raw.resolve("AWSLogs").toString() + "/*/*/CloudTrail/*/*/*/*/*.json.gz";
    java.util.function.Supplier<Dataset<Row>> rawScan = () -> spark.read().option("multiLine", true)
        .schema(baselineSchema()).json(rawGlob).select(explode(col("Records")).alias("r")).select("r.*");
    String principal = sample.getString(0);
    String key = sample.getString(1);
    java.sql.Date day = sample.getDate(2);
    String account = sample.getString(3);
    String region = sample.getString(4);
    java.sql.Date monthStart = java.sql.Date.valueOf(day.toLocalDate().withDayOfMonth(1));
    java.sql.Date monthEnd = java.sql.Date.valueOf(day.toLocalDate().withDayOfMonth(1).plusMonths(1).minusDays(1));
    Column q1 = col("event_date").equalTo(day).and(col("actor_principal").equalTo(principal));
    Column q2 = col("account_id").equalTo(account).and(col("awsRegion").equalTo(region))
        .and(col("event_date").between(monthStart, monthEnd));
    Column q3 = col("access_key_id").equalTo(key);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("q1_principal_day", compare(lake,
        () -> ActivityQuery.on(lake).principal(principal).from(day.toLocalDate()).to(day.toLocalDate()).plan().events(),
        () -> parquet.filter(q1),
        () -> rawScan.get().filter(to_date(col("eventTime")).equalTo(day)
            .and(col("userIdentity.arn").equalTo(principal)))));
    m.put("q2_counts_account_region_month", compare(lake,
        () -> table.filter(q2).groupBy("eventName", "errorCode").agg(count(lit(1))),
        () -> parquet.filter(q2).groupBy("eventName", "errorCode").agg(count(lit(1))),
        () -> rawScan.get().filter(col("recipientAccountId").equalTo(account).and(col("awsRegion").equalTo(region))
            .and(to_date(col("eventTime")).between(monthStart, monthEnd)))
            .groupBy("eventName", "errorCode").agg(count(lit(1)))));
    m.put("q3_access_key_all_days", compare(lake,
        () -> ActivityQuery.on(lake).accessKey(key).plan().events(),
        () -> parquet.filter(q3),
        () -> rawScan.get().filter(col("userIdentity.accessKeyId").equalTo(key))));
    progress.info("bench: queries %s", m);
    return m;
  }

  /** A file size giving the query lake several files per day, as a large organization's day has. */
  private long queryFileBytes(long compressed) {
    return Math.max(64 * 1024, compressed / Math.max(1, days) / 24);
  }

  /**
   * Latency (best of the repeats, each on a freshly planned query) of the lake, Parquet and raw
   * JSON sides, and files and bytes each side read (from one more execution with scan metrics).
   */
  private Map<String, Object> compare(Lake lake, java.util.function.Supplier<Dataset<Row>> lakeQuery,
      java.util.function.Supplier<Dataset<Row>> parquetQuery, java.util.function.Supplier<Dataset<Row>> rawQuery)
      throws IOException {
    long[] n = new long[3];
    double lakeSeconds = best(() -> n[0] = lakeQuery.get().count());
    double parquetSeconds = best(() -> n[1] = parquetQuery.get().count());
    double rawSeconds = best(() -> n[2] = rawQuery.get().count());
    Map<String, Object> lakeScan = io.trailkeep.lake.ScanReport.of(lake, lakeQuery.get());
    Map<String, Object> rawScan = io.trailkeep.lake.ScanReport.of(lake, rawQuery.get());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lake_seconds", lakeSeconds);
    m.put("parquet_seconds", parquetSeconds);
    m.put("raw_json_seconds", rawSeconds);
    m.put("speedup_vs_raw", rawSeconds / lakeSeconds);
    m.put("lake_vs_parquet", lakeSeconds / parquetSeconds);
    m.put("lake_files_read", lakeScan.get("files_read"));
    m.put("lake_files_total", lakeScan.get("files_total"));
    m.put("lake_bytes_read", lakeScan.get("bytes_read"));
    m.put("raw_files_read", rawScan.get("files_read"));
    m.put("raw_bytes_read", rawScan.get("bytes_read"));
    m.put("bytes_fraction_of_raw", ((Number) lakeScan.get("bytes_read")).doubleValue()
        / Math.max(1, ((Number) rawScan.get("bytes_read")).doubleValue()));
    m.put("rows", n[0]);
    m.put("rows_parquet", n[1]);
    m.put("rows_raw", n[2]);
    return m;
  }
}
