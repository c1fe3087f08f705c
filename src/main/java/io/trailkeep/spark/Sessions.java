package io.trailkeep.spark;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;
import scala.collection.Iterator;

/**
 * Builds (or joins, under spark-submit or in a notebook) the Spark session a TrailKeep command
 * runs in, with Delta's extension and catalog, UTC session time, pinned ANSI mode, Parquet codec
 * and s3a settings from the configuration. Credentials are never set here: s3a uses the AWS
 * default provider chain or the named profile.
 *
 * <p>Side effects: a session TrailKeep starts is TrailKeep's (log level, JVM properties). A
 * session it joins is left as it was found: the runtime settings and Hadoop settings a command
 * changes are restored when its {@link Handle} closes, and nothing JVM-wide is touched.
 */
public final class Sessions {

  /** Hadoop key that carries {@code aws.profile} to TrailKeep's own S3 clients. */
  public static final String PROFILE_KEY = "trailkeep.aws.profile";

  private Sessions() {}

  /** Settings every TrailKeep session has, whatever the platform defaults. */
  public static void applyFixed(SparkConf c) {
    c.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    c.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    c.set("spark.sql.session.timeZone", "UTC");
    // Spark 4 defaults to ANSI mode, Spark 3.5 does not; TrailKeep pins it off so that queries,
    // detections and notebooks behave the same on both generations (see README).
    c.set("spark.sql.ansi.enabled", "false");
    c.set("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED");
    c.set("spark.databricks.delta.schema.autoMerge.enabled", "false");
    // Delta keeps 32 characters of a string in file statistics: every role ARN of an account
    // then looks alike ("arn:aws:iam::111122223333:role/a") and no file can be skipped for it
    c.set("spark.databricks.io.skipping.stringPrefixLength", "256");
  }

  /**
   * A session for one command. Closing it stops Spark when this handle started it; a joined
   * session gets back the runtime and Hadoop settings it had before.
   */
  public static final class Handle implements AutoCloseable {
    private final SparkSession spark;
    private final boolean owned;
    private final Map<String, String> runtimeBefore;
    private final Map<String, String> hadoopBefore;

    Handle(SparkSession spark, boolean owned, Map<String, String> runtimeBefore,
        Map<String, String> hadoopBefore) {
      this.spark = spark;
      this.owned = owned;
      this.runtimeBefore = runtimeBefore;
      this.hadoopBefore = hadoopBefore;
    }

    public SparkSession spark() {
      return spark;
    }

    @Override
    public void close() {
      if (owned) {
        spark.stop();
        return;
      }
      Map<String, String> now = scalaMap(spark.conf().getAll());
      for (String k : now.keySet()) {
        if (!runtimeBefore.containsKey(k)) {
          restore(k, null);
        }
      }
      for (Map.Entry<String, String> e : runtimeBefore.entrySet()) {
        if (!e.getValue().equals(now.get(e.getKey()))) {
          restore(e.getKey(), e.getValue());
        }
      }
      Configuration h = spark.sparkContext().hadoopConfiguration();
      for (Map.Entry<String, String> e : hadoopBefore.entrySet()) {
        if (e.getValue() == null) {
          h.unset(e.getKey());
        } else {
          h.set(e.getKey(), e.getValue());
        }
      }
    }

    private void restore(String key, String value) {
      try {
        if (value == null) {
          spark.conf().unset(key);
        } else {
          spark.conf().set(key, value);
        }
      } catch (Exception e) {
        // a static setting: the builder could not have changed it either
      }
    }
  }

  /** Opens a session for a command (see {@link Handle}). */
  public static Handle open(TrailkeepConf conf, String appName) {
    Optional<SparkSession> existing = scalaOption(SparkSession.getDefaultSession());
    if (existing.isEmpty()) {
      SparkSession spark = build(conf, appName, true);
      return new Handle(spark, true, Map.of(), Map.of());
    }
    SparkSession joined = existing.get();
    Map<String, String> runtime = scalaMap(joined.conf().getAll());
    Map<String, String> hadoopBefore = new HashMap<>();
    Configuration h = joined.sparkContext().hadoopConfiguration();
    SparkConf c = sessionConf(conf, appName);
    for (Tuple2<String, String> kv : c.getAll()) {
      if (kv._1().startsWith("spark.hadoop.")) {
        String key = kv._1().substring("spark.hadoop.".length());
        hadoopBefore.put(key, h.get(key));
      }
    }
    hadoopBefore.put(PROFILE_KEY, h.get(PROFILE_KEY));
    SparkSession spark = build(conf, appName, false);
    return new Handle(spark, false, runtime, hadoopBefore);
  }

  private static <T> Optional<T> scalaOption(scala.Option<T> o) {
    return o.isDefined() ? Optional.of(o.get()) : Optional.empty();
  }

  /** The session's runtime settings as a Java map (the API gives a Scala one). */
  public static Map<String, String> runtimeConf(SparkSession spark) {
    return scalaMap(spark.conf().getAll());
  }

  private static Map<String, String> scalaMap(scala.collection.Map<String, String> m) {
    Map<String, String> out = new HashMap<>();
    Iterator<Tuple2<String, String>> it = m.iterator();
    while (it.hasNext()) {
      Tuple2<String, String> kv = it.next();
      out.put(kv._1(), kv._2());
    }
    return out;
  }

  /** Cores of a local master: {@code local} 1, {@code local[N]} N, {@code local[*]} all. */
  static int localCores(String master) {
    Matcher m = Pattern.compile("local\\[(\\d+)(,\\d+)?]").matcher(master);
    if (m.matches()) {
      return Math.max(1, Integer.parseInt(m.group(1)));
    }
    return master.equals("local") ? 1 : Runtime.getRuntime().availableProcessors();
  }

  /** The session settings a command asks for. */
  private static SparkConf sessionConf(TrailkeepConf conf, String appName) {
    SparkConf c = new SparkConf(true);
    if (!c.contains("spark.master")) {
      c.setMaster(conf.get(ConfKey.MASTER));
      c.set("spark.ui.enabled", "false");
      c.set("spark.driver.host", "127.0.0.1");
      c.set("spark.driver.bindAddress", "127.0.0.1");
      String master = c.get("spark.master");
      if (master.startsWith("local")) {
        // Delta rebuilds a table's state from its log in 50 shuffle partitions by default, sized
        // for clusters; on a laptop each such job then costs 0.5-3 s however small the log is
        c.set("spark.databricks.delta.snapshotPartitions", String.valueOf(localCores(master)));
      }
    }
    c.setAppName(appName);
    applyFixed(c);
    c.set("spark.sql.shuffle.partitions", String.valueOf(conf.get(ConfKey.SHUFFLE_PARTITIONS)));
    c.set("spark.sql.parquet.compression.codec", conf.get(ConfKey.PARQUET_CODEC));
    applyS3(conf, c);
    applyLogStore(conf, c);
    for (Map.Entry<String, String> e : conf.sparkConf().entrySet()) {
      c.set(e.getKey(), e.getValue());
    }
    return c;
  }

  /** A session configured from {@code conf}; TrailKeep's own when {@code owned}. */
  static SparkSession build(TrailkeepConf conf, String appName, boolean owned) {
    String profile = conf.get(ConfKey.AWS_PROFILE);
    if (!owned && !profile.isEmpty() && !profile.equals(System.getProperty("aws.profile"))) {
      throw new ConfException("aws.profile cannot be applied inside a Spark application TrailKeep "
          + "did not start (it would change JVM-wide properties); set AWS_PROFILE in the "
          + "application's environment instead");
    }
    SparkConf c = sessionConf(conf, appName);
    SparkSession spark = SparkSession.builder().config(c).getOrCreate();
    // a session that already existed (notebook, spark-submit, tests) does not take spark.hadoop.*
    // from the builder: apply them to its Hadoop configuration explicitly
    Configuration h = spark.sparkContext().hadoopConfiguration();
    for (Tuple2<String, String> kv : c.getAll()) {
      if (kv._1().startsWith("spark.hadoop.")) {
        h.set(kv._1().substring("spark.hadoop.".length()), kv._2());
      }
    }
    if (!profile.isEmpty()) {
      h.set(PROFILE_KEY, profile);
    }
    if (owned) {
      if (!profile.isEmpty()) {
        // s3a's profile provider reads the JVM property; this JVM is TrailKeep's own
        System.setProperty("aws.profile", profile);
      }
      spark.sparkContext().setLogLevel("WARN");
    }
    return spark;
  }

  /**
   * The Hadoop configuration a session would get (s3a endpoint, path style, SSE), for commands
   * that touch storage without Spark, such as {@code generate}.
   */
  public static Configuration hadoopConf(TrailkeepConf conf) {
    SparkConf c = new SparkConf(false);
    applyS3(conf, c);
    for (Map.Entry<String, String> e : conf.sparkConf().entrySet()) {
      c.set(e.getKey(), e.getValue());
    }
    Configuration h = new Configuration();
    for (Tuple2<String, String> kv : c.getAll()) {
      if (kv._1().startsWith("spark.hadoop.")) {
        h.set(kv._1().substring("spark.hadoop.".length()), kv._2());
      }
    }
    if (!conf.get(ConfKey.AWS_PROFILE).isEmpty()) {
      h.set(PROFILE_KEY, conf.get(ConfKey.AWS_PROFILE));
    }
    return h;
  }

  static void applyS3(TrailkeepConf conf, SparkConf c) {
    String endpoint = conf.get(ConfKey.S3_ENDPOINT);
    String p = "spark.hadoop.fs.s3a.";
    if (!endpoint.isEmpty()) {
      c.set(p + "endpoint", endpoint);
      c.set(p + "connection.ssl.enabled", String.valueOf(endpoint.startsWith("https")));
    }
    c.set(p + "endpoint.region", conf.get(ConfKey.S3_REGION));
    c.set(p + "path.style.access", String.valueOf(conf.get(ConfKey.S3_PATH_STYLE)));
    switch (conf.get(ConfKey.S3_SSE)) {
      case "SSE-S3":
        c.set(p + "encryption.algorithm", "SSE-S3");
        break;
      case "SSE-KMS":
        c.set(p + "encryption.algorithm", "SSE-KMS");
        String key = conf.get(ConfKey.S3_SSE_KMS_KEY);
        if (key.isEmpty()) {
          throw new ConfException("s3.sse is SSE-KMS but s3.sse-kms-key is empty; set the KMS key id");
        }
        c.set(p + "encryption.key", key);
        break;
      default:
        break;
    }
    if (!conf.get(ConfKey.AWS_PROFILE).isEmpty()) {
      c.set(p + "aws.credentials.provider",
          "software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider");
    }
    String role = conf.get(ConfKey.AWS_ROLE_ARN);
    if (!role.isEmpty()) {
      c.set(p + "aws.credentials.provider", "org.apache.hadoop.fs.s3a.auth.AssumedRoleCredentialProvider");
      c.set(p + "assumed.role.arn", role);
      c.set(p + "assumed.role.session.name", "trailkeep");
    }
    c.set(p + "retry.limit", c.get(p + "retry.limit", "10"));
    c.set(p + "attempts.maximum", c.get(p + "attempts.maximum", "10"));
  }

  static void applyLogStore(TrailkeepConf conf, SparkConf c) {
    String store = conf.get(ConfKey.DELTA_LOG_STORE);
    if (store.equals("default")) {
      return;
    }
    String[] parts = store.split(":");
    c.set("spark.delta.logStore.s3a.impl", "io.delta.storage.S3DynamoDBLogStore");
    c.set("spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName", parts[1]);
    c.set("spark.io.delta.storage.S3DynamoDBLogStore.ddb.region", parts[2]);
  }
}
