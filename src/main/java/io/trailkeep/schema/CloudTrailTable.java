package io.trailkeep.schema;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code cloudtrail} table (and {@code cloudtrail_insights}, which shares it): one row per
 * CloudTrail record, partitioned by {@code event_date}.
 *
 * <p>Columns in CloudTrail's own camelCase are the record's fields, typed per {@link #RECORD}.
 * Free-form objects (requestParameters, responseElements, additionalEventData, ...) are their exact
 * JSON text. Anything else - new fields AWS adds tomorrow, unexpected types, explicit nulls - lands
 * in the {@code extra_fields} JSON overflow of the struct it appeared in. Snake_case columns are
 * derived by TrailKeep for easy querying; {@code record_hash} fingerprints the record's content for
 * de-duplication; {@code source_file}/{@code source_position} say which
 * raw object and which array position the row came from (forensic provenance).
 */
public final class CloudTrailTable {

  private CloudTrailTable() {}

  public static final String NAME = "cloudtrail";
  public static final String INSIGHTS_NAME = "cloudtrail_insights";
  public static final String PARTITION_COLUMN = "event_date";

  /** userIdentity.sessionContext.sessionIssuer and similar principal references. */
  static final JsonSpec SESSION_ISSUER = JsonSpec.builder()
      .string("type", "principalId", "arn", "accountId", "userName").build();

  static final JsonSpec SESSION_ATTRIBUTES = JsonSpec.builder()
      .string("creationDate", "mfaAuthenticated").build();

  static final JsonSpec SESSION_CONTEXT = JsonSpec.builder()
      .struct("attributes", SESSION_ATTRIBUTES)
      .struct("sessionIssuer", SESSION_ISSUER)
      .json("webIdFederationData")
      .string("sourceIdentity", "ec2RoleDelivery", "assumedRoot")
      .build();

  static final JsonSpec ON_BEHALF_OF = JsonSpec.builder()
      .string("userId", "identityStoreArn").build();

  /** Every documented identity type shares this struct; absent parts are null. */
  public static final JsonSpec USER_IDENTITY = JsonSpec.builder()
      .string("type", "principalId", "arn", "accountId", "accessKeyId", "userName", "invokedBy",
          "credentialId", "identityProvider")
      .struct("sessionContext", SESSION_CONTEXT)
      .struct("onBehalfOf", ON_BEHALF_OF)
      .json("inScopeOf")
      .build();

  static final JsonSpec RESOURCE = JsonSpec.builder().string("ARN", "accountId", "type").build();

  static final JsonSpec TLS_DETAILS = JsonSpec.builder()
      .string("tlsVersion", "cipherSuite", "clientProvidedHostHeader").build();

  /** One CloudTrail record as delivered (eventVersion 1.0 to 1.11). */
  public static final JsonSpec RECORD = JsonSpec.builder()
      .string("eventVersion")
      .struct("userIdentity", USER_IDENTITY)
      .timestamp("eventTime")
      .string("eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
          "errorCode", "errorMessage")
      .json("requestParameters", "responseElements", "additionalEventData")
      .string("requestID", "eventID")
      .bool("readOnly")
      .structArray("resources", RESOURCE)
      .string("eventType", "apiVersion")
      .bool("managementEvent")
      .string("recipientAccountId", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId",
          "eventCategory", "sessionCredentialFromConsole")
      .json("serviceEventDetails", "addendum", "edgeDeviceDetails", "insightDetails")
      .struct("tlsDetails", TLS_DETAILS)
      .build();

  /** Derived columns, appended after the record's own columns, in this order. */
  public static final StructType DERIVED = DataTypes.createStructType(new StructField[] {
      field("event_date", DataTypes.DateType),
      field("account_id", DataTypes.StringType),
      field("actor_type", DataTypes.StringType),
      field("actor_principal", DataTypes.StringType),
      field("actor_session", DataTypes.StringType),
      field("access_key_id", DataTypes.StringType),
      field("source_ip", DataTypes.StringType),
      field("is_error", DataTypes.BooleanType),
      field("is_read_only", DataTypes.BooleanType),
      field("is_console", DataTypes.BooleanType),
      field("mfa_used", DataTypes.BooleanType),
      field("record_hash", DataTypes.LongType),
      field("source_file", DataTypes.StringType),
      field("source_position", DataTypes.IntegerType)
  });

  /** The table schema: record columns, then {@link #DERIVED}. */
  public static final StructType SCHEMA = buildSchema();

  /**
   * Columns investigations filter by; Delta collects min/max statistics only for these (the
   * partition column needs none: partition pruning covers it).
   */
  public static final List<String> STATS_COLUMNS = List.of("eventTime",
      "account_id", "awsRegion", "eventSource", "eventName", "actor_principal", "access_key_id",
      "source_ip", "errorCode", "eventID");

  /**
   * Record identity for de-duplication: same event in the same account at the same time. A row
   * is dropped as a duplicate only when its {@code record_hash} (xxhash64 of the record's own
   * columns) matches too; same key with different content is kept and counted as a conflict.
   */
  public static final List<String> DEDUP_KEY = List.of("account_id", "eventID", "eventTime");

  /** The columns that make up a record's content (what {@code record_hash} covers). */
  public static List<String> contentColumns() {
    return List.of(RECORD.sparkType().fieldNames());
  }

  private static StructType buildSchema() {
    List<StructField> out = new ArrayList<>(List.of(RECORD.sparkType().fields()));
    out.addAll(List.of(DERIVED.fields()));
    return DataTypes.createStructType(out);
  }

  private static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }
}
