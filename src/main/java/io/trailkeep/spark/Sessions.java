package io.trailkeep.spark;

import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.TrailkeepConf;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds (or joins, under spark-submit) the Spark session a TrailKeep job runs in, with Delta's
 * extension and catalog, UTC session time, pinned ANSI mode, Parquet codec and s3a settings taken
 * from the configuration. Credentials are never set here: s3a uses the AWS default provider chain
 * or the named profile.
 */
public final class Sessions {

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
   * A session for one command. Closing it stops Spark only when this handle started it, so a
   * command run inside an existing application (spark-submit, a notebook, tests) leaves it alone.
   */
  public static final class Handle implements AutoCloseable {
    private final SparkSession spark;
    private final boolean owned;

    Handle(SparkSession spark, boolean owned) {
      this.spark = spark;
      this.owned = owned;
    }

    public SparkSession spark() {
      return spark;
    }

    @Override
    public void close() {
      if (owned) {
        spark.stop();
      }
    }
  }

  /** Opens a session for a command (see {@link Handle}). */
  public static Handle open(TrailkeepConf conf, String appName) {
    boolean existed = SparkSession.getDefaultSession().isDefined();
    return new Handle(build(conf, appName), !existed);
  }

  /** Cores of a local master: {@code local} 1, {@code local[N]} N, {@code local[*]} all. */
  static int localCores(String master) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+)(,\\d+)?]").matcher(master);
    if (m.matches()) {
      return Math.max(1, Integer.parseInt(m.group(1)));
    }
    return master.equals("local") ? 1 : Runtime.getRuntime().availableProcessors();
  }

  /** Returns a session configured from {@code conf}. */
  public static SparkSession build(TrailkeepConf conf, String appName) {
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
    c.set("spark.sql.shuffle.partitions", String.valueOf(conf.getInt(ConfKey.SHUFFLE_PARTITIONS)));
    String codec = conf.get(ConfKey.PARQUET_CODEC).toLowerCase(Locale.ROOT);
    if (!codec.matches("zstd|snappy|gzip|uncompressed|lz4")) {
      throw new ConfException("write.parquet-codec must be zstd, snappy, gzip, lz4 or uncompressed, got '"
          + codec + "'");
    }
    c.set("spark.sql.parquet.compression.codec", codec);
    applyS3(conf, c);
    applyLogStore(conf, c);
    for (Map.Entry<String, String> e : conf.sparkConf().entrySet()) {
      c.set(e.getKey(), e.getValue());
    }
    SparkSession spark = SparkSession.builder().config(c).getOrCreate();
    // a session that already existed (notebook, spark-submit, tests) does not take spark.hadoop.*
    // from the builder: apply them to its Hadoop configuration explicitly
    org.apache.hadoop.conf.Configuration h = spark.sparkContext().hadoopConfiguration();
    for (scala.Tuple2<String, String> kv : c.getAll()) {
      if (kv._1().startsWith("spark.hadoop.")) {
        h.set(kv._1().substring("spark.hadoop.".length()), kv._2());
      }
    }
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }

  /**
   * The Hadoop configuration a session would get (s3a endpoint, path style, SSE), for commands
   * that touch storage without Spark, such as {@code generate}.
   */
  public static org.apache.hadoop.conf.Configuration hadoopConf(TrailkeepConf conf) {
    SparkConf c = new SparkConf(false);
    applyS3(conf, c);
    for (Map.Entry<String, String> e : conf.sparkConf().entrySet()) {
      c.set(e.getKey(), e.getValue());
    }
    org.apache.hadoop.conf.Configuration h = new org.apache.hadoop.conf.Configuration();
    for (scala.Tuple2<String, String> kv : c.getAll()) {
      if (kv._1().startsWith("spark.hadoop.")) {
        h.set(kv._1().substring("spark.hadoop.".length()), kv._2());
      }
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
    c.set(p + "path.style.access", String.valueOf(conf.getBoolean(ConfKey.S3_PATH_STYLE)));
    String sse = conf.get(ConfKey.S3_SSE);
    switch (sse.toUpperCase(Locale.ROOT)) {
      case "NONE":
      case "":
        break;
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
        throw new ConfException("s3.sse must be none, SSE-S3 or SSE-KMS, got '" + sse + "'");
    }
    String profile = conf.get(ConfKey.AWS_PROFILE);
    if (!profile.isEmpty()) {
      c.set(p + "aws.credentials.provider",
          "software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider");
      System.setProperty("aws.profile", profile);
    }
    String role = conf.get(ConfKey.AWS_ROLE_ARN);
    if (!role.isEmpty()) {
      if (!role.startsWith("arn:")) {
        throw new ConfException("aws.role-arn must be a role ARN (arn:aws:iam::<account>:role/<name>), got '"
            + role + "'");
      }
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
    if (parts.length != 3 || !parts[0].equals("dynamodb")) {
      throw new ConfException("delta.log-store must be 'default' or 'dynamodb:<table>:<region>', got '"
          + store + "'");
    }
    c.set("spark.delta.logStore.s3a.impl", "io.delta.storage.S3DynamoDBLogStore");
    c.set("spark.io.delta.storage.S3DynamoDBLogStore.ddb.tableName", parts[1]);
    c.set("spark.io.delta.storage.S3DynamoDBLogStore.ddb.region", parts[2]);
  }
}
