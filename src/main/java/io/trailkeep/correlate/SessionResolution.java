package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_timestamp;
import static org.apache.spark.sql.functions.when;

import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.EntityTables;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Keeps {@code entity_sessions}: access key -> session -> role, from the STS calls that issue
 * temporary credentials ({@code AssumeRole}, {@code AssumeRoleWithSAML},
 * {@code AssumeRoleWithWebIdentity}, {@code GetFederationToken}, {@code GetSessionToken}) that
 * succeeded. Each row is one issued key with the session and role it belongs to, the caller (type,
 * ARN, and key: for a role chain, the key of the session that assumed this role), the source
 * identity and source address, and its validity (the call's time until the response's
 * {@code expiration}, which CloudTrail writes as {@code Mar 1, 2024, 6:00:00 PM}; ISO times are
 * read too). The chain is followed up to {@link #MAX_CHAIN} hops to the identity that started it
 * ({@code root_type}, {@code root_arn}: an IAM user, a SAML or web identity, an AWS service) with
 * the number of hops ({@code chain_depth}, 0 when the caller is that identity).
 *
 * <p>Incremental ({@link EntityResolution}): reads only the days of {@code cloudtrail} with new rows
 * since the version recorded in {@code entity_state}, and appends only keys not yet in the table,
 * so a rerun writes nothing. A key is issued once, so a row never changes. Cost: one scan of the changed days'
 * STS calls (a filter on eventName), {@value #MAX_CHAIN} small joins; side effects: appends to
 * {@code entity_sessions}.
 */
public final class SessionResolution {
  /** Role chains longer than this are cut there (AWS allows chaining, each hop at most an hour). */
  static final int MAX_CHAIN = 5;
  static final List<String> ISSUING_CALLS = List.of("AssumeRole", "AssumeRoleWithSAML",
      "AssumeRoleWithWebIdentity", "GetFederationToken", "GetSessionToken");

  private SessionResolution() {}

  /**
   * Appends the sessions issued on {@code days} of {@code cloudtrail} that the table does not hold
   * yet; returns how many. Called by {@link EntityResolution#update}, which knows the changed days.
   */
  static long addSessions(Lake lake, List<Date> days) {
    if (days.isEmpty()) {
      return 0;
    }
    Dataset<Row> issued = issued(lake.read(CloudTrailTable.NAME)
        .filter(col(CloudTrailTable.PARTITION_COLUMN).isin(days.toArray())));
    Dataset<Row> known = lake.exists(EntityTables.SESSIONS) ? lake.read(EntityTables.SESSIONS) : null;
    if (known != null) {
      issued = issued.join(known.select("access_key_id"), new String[] {"access_key_id"}, "left_anti");
    }
    Dataset<Row> rows = withRoots(issued, known).localCheckpoint();
    long added = rows.count();
    if (added > 0) {
      lake.ensure(EntityTables.SESSIONS, EntityTables.SESSIONS_SCHEMA, null, Map.of());
      rows.select(names()).write().format("delta").mode("append").save(lake.pathOf(EntityTables.SESSIONS));
    }
    return added;
  }

  /**
   * For each of {@code keys} (temporary keys), the keys of the sessions chained to it one hop
   * either way: the session whose key assumed it (when its caller was a session), and the sessions
   * it assumed. A key that assumed more than {@code maxFanout} sessions is not followed to them
   * (a hub role that fans out to every account would join unrelated work). Keys not in
   * {@code entity_sessions} have no entry. Cost: one filtered read of the table, collected.
   */
  public static Map<String, Set<String>> chainedKeys(Lake lake, Set<String> keys, long maxFanout) {
    if (keys.isEmpty() || !lake.exists(EntityTables.SESSIONS)) {
      return Map.of();
    }
    Map<String, Set<String>> out = new TreeMap<>();
    Map<String, Set<String>> children = new TreeMap<>();
    for (Row r : lake.read(EntityTables.SESSIONS)
        .filter(col("access_key_id").isin(keys.toArray()).or(col("issuer_access_key_id").isin(keys.toArray())))
        .select("access_key_id", "issuer_access_key_id").collectAsList()) {
      String key = r.getString(0);
      String caller = r.getString(1);
      if (caller == null || !caller.startsWith("ASIA")) {
        continue;
      }
      if (keys.contains(key)) {
        out.computeIfAbsent(key, k -> new TreeSet<>()).add(caller);
      }
      if (keys.contains(caller)) {
        children.computeIfAbsent(caller, k -> new TreeSet<>()).add(key);
      }
    }
    for (Map.Entry<String, Set<String>> c : children.entrySet()) {
      if (c.getValue().size() <= maxFanout) {
        out.computeIfAbsent(c.getKey(), k -> new TreeSet<>()).addAll(c.getValue());
      }
    }
    return out;
  }

  /** One row per key issued by a successful STS call in {@code ct}, roots not yet resolved. */
  static Dataset<Row> issued(Dataset<Row> ct) {
    Column resp = col("responseElements");
    Column req = col("requestParameters");
    Column expiration = get_json_object(resp, "$.credentials.expiration");
    // root and console callers carry an empty key
    Column issuerKey = when(col("userIdentity.accessKeyId").notEqual(""), col("userIdentity.accessKeyId"));
    Dataset<Row> calls = ct.filter(col("eventName").isin(ISSUING_CALLS.toArray())
            .and(col("eventSource").equalTo("sts.amazonaws.com")).and(col("errorCode").isNull()))
        .select(
            get_json_object(resp, "$.credentials.accessKeyId").alias("access_key_id"),
            coalesce(get_json_object(resp, "$.assumedRoleUser.arn"),
                get_json_object(resp, "$.federatedUser.arn"), col("userIdentity.arn")).alias("session_arn"),
            get_json_object(req, "$.roleArn").alias("role_arn"),
            coalesce(get_json_object(req, "$.roleSessionName"), get_json_object(req, "$.name"))
                .alias("session_name"),
            col("account_id"),
            col("eventName").alias("issued_by"),
            col("userIdentity.type").alias("issuer_type"),
            coalesce(col("userIdentity.arn"), col("userIdentity.invokedBy"), col("userIdentity.userName"))
                .alias("issuer_arn"),
            issuerKey.alias("issuer_access_key_id"),
            coalesce(get_json_object(req, "$.sourceIdentity"),
                col("userIdentity.sessionContext.sourceIdentity")).alias("source_identity"),
            col("sourceIPAddress").alias("source_ip"),
            col("eventTime").alias("valid_from"),
            coalesce(to_timestamp(expiration, "MMM d, yyyy, h:mm:ss a"), to_timestamp(expiration))
                .alias("valid_until"),
            col("eventID").alias("event_id"),
            col(CloudTrailTable.PARTITION_COLUMN).alias("event_date"))
        .filter(col("access_key_id").isNotNull());
    // a call delivered twice to two trails (or re-delivered) names the same key: keep the first
    return calls.withColumn("_n", row_number().over(Window.partitionBy("access_key_id")
        .orderBy(col("valid_from"), col("event_id")))).filter(col("_n").equalTo(1)).drop("_n");
  }

  /**
   * Adds root_type, root_arn and chain_depth by following each caller's key to the session that
   * key belongs to, in {@code fresh} itself and in the sessions already {@code known} (null when
   * none), at most {@link #MAX_CHAIN} hops.
   */
  static Dataset<Row> withRoots(Dataset<Row> fresh, Dataset<Row> known) {
    Column sessionKey = col("issuer_access_key_id").startsWith("ASIA");
    Dataset<Row> links = fresh.select("access_key_id", "issuer_type", "issuer_arn", "issuer_access_key_id");
    if (known != null) {
      links = links.unionByName(known.select("access_key_id", "issuer_type", "issuer_arn",
          "issuer_access_key_id"));
    }
    links = links.select(col("access_key_id").alias("p_key"), col("issuer_type").alias("p_type"),
        col("issuer_arn").alias("p_arn"), when(sessionKey, col("issuer_access_key_id")).alias("p_up"))
        .localCheckpoint();
    Dataset<Row> rows = fresh.withColumn("root_type", col("issuer_type"))
        .withColumn("root_arn", col("issuer_arn"))
        .withColumn("_up", when(sessionKey, col("issuer_access_key_id")))
        .withColumn("chain_depth", lit(0));
    for (int hop = 0; hop < MAX_CHAIN; hop++) {
      Column found = col("p_key").isNotNull();
      rows = rows.join(links, col("_up").equalTo(col("p_key")), "left")
          .withColumn("root_type", when(found, col("p_type")).otherwise(col("root_type")))
          .withColumn("root_arn", when(found, col("p_arn")).otherwise(col("root_arn")))
          .withColumn("chain_depth", when(found, col("chain_depth").plus(1)).otherwise(col("chain_depth")))
          .withColumn("_up", when(found, col("p_up")))
          .drop("p_key", "p_type", "p_arn", "p_up");
    }
    return rows.drop("_up");
  }

  private static Column[] names() {
    String[] n = EntityTables.SESSIONS_SCHEMA.fieldNames();
    Column[] c = new Column[n.length];
    for (int i = 0; i < n.length; i++) {
      c[i] = col(n[i]).cast(EntityTables.SESSIONS_SCHEMA.apply(n[i]).dataType());
    }
    return c;
  }
}
