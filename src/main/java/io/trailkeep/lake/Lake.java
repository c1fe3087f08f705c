package io.trailkeep.lake;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * The lake root and the Delta tables under it, one directory per table ({@code <lake>/<name>}).
 * Creating a table is idempotent and sets its properties on purpose; reading registers nothing
 * global unless {@link #registerViews} is called.
 */
public final class Lake {
  private final SparkSession spark;
  private final String root;

  /** A relative local root is resolved against the working directory (see {@link #absolute}). */
  public Lake(SparkSession spark, String root) {
    this.spark = spark;
    String r = absolute(root);
    this.root = r.endsWith("/") ? r.substring(0, r.length() - 1) : r;
  }

  /**
   * URIs with a scheme pass unchanged; a local relative path becomes absolute, so Spark, Hadoop
   * and Delta (which reads a relative path as a table name) agree on it.
   */
  public static String absolute(String uri) {
    if (hasScheme(uri) || uri.startsWith("file:")) {
      return uri;
    }
    return Paths.get(uri).toAbsolutePath().normalize().toString();
  }

  /**
   * A local folder named {@code name} beside a local lake ({@code demo-data/lake} gives
   * {@code demo-data/<name>}), or under the working directory for a lake on S3: where local
   * outputs of a lake (reports, rendered notebooks) go by default.
   */
  public static java.nio.file.Path localSibling(String lakeRoot, String name) {
    String root = absolute(lakeRoot);
    boolean file = root.startsWith("file:");
    if (!file && hasScheme(root)) {
      return Paths.get(name).toAbsolutePath();
    }
    java.nio.file.Path lake = Paths.get(file ? new Path(root).toUri().getPath() : root);
    return (lake.getParent() == null ? lake : lake.getParent()).resolve(name);
  }

  /** Whether {@code uri} names its scheme ({@code s3a://...}, {@code file://...}). */
  private static boolean hasScheme(String uri) {
    return uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
  }

  public String root() {
    return root;
  }

  public SparkSession spark() {
    return spark;
  }

  public String pathOf(String table) {
    return root + "/" + table;
  }

  public boolean exists(String table) {
    return DeltaTable.isDeltaTable(spark, pathOf(table));
  }

  public Dataset<Row> read(String table) {
    return spark.read().format("delta").load(pathOf(table));
  }

  /**
   * Creates the table if missing, with its schema, partitioning and properties. Returns true when
   * this call created it (so it holds no rows yet).
   */
  public boolean ensure(String table, StructType schema, String partitionColumn,
      Map<String, String> properties) {
    if (exists(table)) {
      return false;
    }
    DeltaTableBuilder b = DeltaTable.createIfNotExists(spark).location(pathOf(table))
        .addColumns(schema);
    if (partitionColumn != null) {
      b = b.partitionedBy(partitionColumn);
    }
    Map<String, String> props = new TreeMap<>(Defaults.TABLE_PROPERTIES);
    props.putAll(properties);
    for (Map.Entry<String, String> e : props.entrySet()) {
      b = b.property(e.getKey(), e.getValue());
    }
    b.execute();
    return true;
  }

  /**
   * The session setting whose value Delta stores as {@code userMetadata} in the commits a job
   * makes: TrailKeep puts a marker there (run id and step) so that a job can find its own commit
   * in the table's history ({@link #commitMetrics}) and a crash can be told apart from a success.
   */
  public static final String COMMIT_MARKER_CONF = "spark.databricks.delta.commitInfo.userMetadata";

  /**
   * The operation metrics of the commit of {@code table} whose userMetadata is {@code marker}, or
   * an empty map when there is none (Delta made no commit). Reads the recent history first and
   * the whole history only when the marker is not among the last 50 commits.
   */
  public Map<String, String> commitMetrics(String table, String marker) {
    DeltaTable t = DeltaTable.forPath(spark, pathOf(table));
    for (Dataset<Row> h : List.of(t.history(50), t.history())) {
      List<Row> rows = h.filter(org.apache.spark.sql.functions.col("userMetadata").equalTo(marker))
          .select("operationMetrics").collectAsList();
      if (!rows.isEmpty()) {
        Map<String, String> m = rows.get(0).getJavaMap(0);
        return m == null ? Map.of() : m;
      }
    }
    return Map.of();
  }

  /** Whether some commit of {@code table} carries {@code marker} (see {@link #COMMIT_MARKER_CONF}). */
  public boolean hasCommit(String table, String marker) {
    return exists(table) && !DeltaTable.forPath(spark, pathOf(table)).history()
        .filter(org.apache.spark.sql.functions.col("userMetadata").equalTo(marker)).isEmpty();
  }

  /**
   * Adds the columns of {@code schema} that {@code table} lacks (a table created by an older
   * version), with one empty schema-merging append. No-op when nothing is missing.
   */
  public void ensureColumns(String table, StructType schema) {
    Set<String> have = new HashSet<>(Arrays.asList(read(table).columns()));
    for (String c : schema.fieldNames()) {
      if (!have.contains(c)) {
        spark.createDataFrame(List.<Row>of(), schema).write().format("delta")
            .mode("append").option("mergeSchema", "true").save(pathOf(table));
        return;
      }
    }
  }

  /** Writes (replaces) a small text file at {@code relative} under the root. */
  public void writeText(String relative, String text) {
    Path p = new Path(root + "/" + relative);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (java.io.OutputStream out = fs.create(p, true)) {
        out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new LakeException("cannot write " + p + ": " + e.getMessage(), e);
    }
  }

  /** The text file at {@code relative} under the root, or null when there is none. */
  public String readText(String relative) {
    Path p = new Path(root + "/" + relative);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        return null;
      }
      try (java.io.InputStream in = fs.open(p)) {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new LakeException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses a lake that holds none of {@code anyOf}: a {@link io.trailkeep.conf.ConfException}
   * (exit 2) whose one line says what the folder holds instead and how to fix the call. Reads and
   * writes nothing else, so a mistyped {@code --lake} leaves no trace. Cost: one existence check
   * per name ({@code <table>/_delta_log}), a listing of the root only when none is there.
   *
   * @param job the command, for the message
   * @param anyOf the tables the job can work from (one is enough)
   * @param fix what to run to create them, e.g. {@code "run 'trailkeep ingest' first"}
   */
  public void requireAny(String job, java.util.Collection<String> anyOf, String fix) {
    Path rootPath = new Path(root);
    try {
      FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (String t : anyOf) {
        if (fs.exists(new Path(rootPath, t + "/_delta_log"))) {
          return;
        }
      }
      String holds;
      if (!fs.exists(rootPath)) {
        holds = "the folder does not exist";
      } else {
        List<String> present = tables();
        holds = present.isEmpty() ? "it holds no Delta table" : "it holds only " + String.join(", ", present);
      }
      throw new io.trailkeep.conf.ConfException(job + ": --lake " + root + " holds none of the tables "
          + job + " reads (" + String.join(", ", anyOf) + "): " + holds + "; pass the lake's root with "
          + "--lake, or " + fix);
    } catch (IOException e) {
      throw new LakeException("cannot read the lake at " + root + ": " + e.getMessage(), e);
    }
  }

  /** Names of the Delta tables present under the root. */
  public List<String> tables() {
    List<String> out = new ArrayList<>();
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(rootPath)) {
        return out;
      }
      for (FileStatus s : fs.listStatus(rootPath)) {
        if (s.isDirectory() && fs.exists(new Path(s.getPath(), "_delta_log"))) {
          out.add(s.getPath().getName());
        }
      }
    } catch (IOException e) {
      throw new LakeException("cannot list the lake at " + root + ": " + e.getMessage(), e);
    }
    out.sort(String::compareTo);
    return out;
  }

  /**
   * Registers each table as a temporary view of its name; returns the names. Read-only views
   * ({@code writable} false) sit behind a no-op filter, which Delta refuses to write through, so
   * a statement run against them cannot change the lake.
   */
  public List<String> registerViews(boolean writable) {
    List<String> names = tables();
    for (String name : names) {
      Dataset<Row> view = read(name);
      (writable ? view : view.where(functions.lit(true))).createOrReplaceTempView(name);
    }
    return names;
  }

  /** Default Delta properties for every TrailKeep table (see README "Tables"). */
  public static final class Defaults {
    private Defaults() {}

    public static final Map<String, String> TABLE_PROPERTIES = Map.of(
        "delta.checkpointInterval", "20",
        "delta.logRetentionDuration", "interval 30 days",
        "delta.deletedFileRetentionDuration", "interval " + io.trailkeep.conf.ConfKey.VACUUM_MIN_HOURS + " hours",
        "delta.appendOnly", "false");
  }

  /** A lake that cannot be reached or read. */
  public static final class LakeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LakeException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
