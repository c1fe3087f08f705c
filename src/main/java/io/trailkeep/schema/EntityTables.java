package io.trailkeep.schema;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Entity-resolution tables kept by {@code correlate}: {@code entity_sessions} (one row per set of
 * temporary credentials STS issued: the key, the session and role it belongs to, who asked for it
 * and from where, when it was valid, and the identity at the start of its role chain),
 * {@code entity_interfaces} (instance, network interface and private or public address, each
 * fact with the time it was seen: from the EC2 calls that assign them and from the flow logs),
 * {@code entity_identities} (principal, user name and the person or workload behind it: IAM user,
 * Identity Center user, SAML or web identity, per day) and {@code entity_state} (the version of
 * each source table the resolution has read up to).
 */
public final class EntityTables {
  private EntityTables() {}

  public static final String SESSIONS = "entity_sessions";
  public static final String STATE = "entity_state";
  public static final String INTERFACES = "entity_interfaces";
  public static final String IDENTITIES = "entity_identities";
  /** Both per-day tables are partitioned by this day column. */
  public static final String PARTITION_COLUMN = "event_date";

  public static final StructType SESSIONS_SCHEMA = DataTypes.createStructType(new StructField[] {
      field("access_key_id", DataTypes.StringType),
      field("session_arn", DataTypes.StringType),
      field("role_arn", DataTypes.StringType),
      field("session_name", DataTypes.StringType),
      field("account_id", DataTypes.StringType),
      field("issued_by", DataTypes.StringType),
      field("issuer_type", DataTypes.StringType),
      field("issuer_arn", DataTypes.StringType),
      field("issuer_access_key_id", DataTypes.StringType),
      field("source_identity", DataTypes.StringType),
      field("source_ip", DataTypes.StringType),
      field("valid_from", DataTypes.TimestampType),
      field("valid_until", DataTypes.TimestampType),
      field("root_type", DataTypes.StringType),
      field("root_arn", DataTypes.StringType),
      field("chain_depth", DataTypes.IntegerType),
      field("event_id", DataTypes.StringType),
      field("event_date", DataTypes.DateType)});

  /**
   * One fact about an interface per row: {@code evidence} names the call that stated it
   * ({@code RunInstances}, {@code CreateNetworkInterface}, {@code AttachNetworkInterface},
   * {@code AssociateAddress}, {@code DisassociateAddress}: {@code first_seen} = {@code last_seen}
   * = the call's time, {@code event_id} the call) or {@code vpc_flow} (the interface's own private
   * address and instance as its flow records show them on one day, first and last record).
   */
  public static final StructType INTERFACES_SCHEMA = DataTypes.createStructType(new StructField[] {
      field("account_id", DataTypes.StringType),
      field("region", DataTypes.StringType),
      field("instance_id", DataTypes.StringType),
      field("interface_id", DataTypes.StringType),
      field("private_ip", DataTypes.StringType),
      field("public_ip", DataTypes.StringType),
      field("evidence", DataTypes.StringType),
      field("first_seen", DataTypes.TimestampType),
      field("last_seen", DataTypes.TimestampType),
      field("records", DataTypes.LongType),
      field("event_id", DataTypes.StringType),
      field(PARTITION_COLUMN, DataTypes.DateType)});

  /**
   * Who a principal is, per day: the principal (IAM user, role, federated user or Identity
   * Center user store entry), the user name it acted under, and the identity behind it
   * ({@code identity_kind}: {@code iam-user}, {@code identity-center} (the permission-set session
   * name), {@code saml}, {@code web-identity}, {@code federated}, {@code root}, {@code aws-service},
   * {@code role-chain} for sessions whose chain starts elsewhere), with the source identity a role
   * chain passed on, first and last event and the count.
   */
  public static final StructType IDENTITIES_SCHEMA = DataTypes.createStructType(new StructField[] {
      field("account_id", DataTypes.StringType),
      field("principal_arn", DataTypes.StringType),
      field("principal_type", DataTypes.StringType),
      field("user_name", DataTypes.StringType),
      field("identity", DataTypes.StringType),
      field("identity_kind", DataTypes.StringType),
      field("source_identity", DataTypes.StringType),
      field("first_seen", DataTypes.TimestampType),
      field("last_seen", DataTypes.TimestampType),
      field("events", DataTypes.LongType),
      field(PARTITION_COLUMN, DataTypes.DateType)});

  /** The same columns as {@code detect_state}: (table_name, version, run_id, processed_at). */
  public static final StructType STATE_SCHEMA = DetectTables.STATE_SCHEMA;

  private static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }
}
