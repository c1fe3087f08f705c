package io.trailkeep.schema;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code guardduty_findings} table: one row per GuardDuty finding {@code id}, holding the
 * latest exported version (greatest {@code updatedAt}), partitioned by {@code event_date} (the UTC
 * day the finding was created, which never changes for a finding).
 *
 * <p>Columns in camelCase are the finding's own top-level fields; {@code resource},
 * {@code service} and {@code severity} are kept as their exact JSON text and unknown top-level
 * keys land in {@code extra_fields}, so the exported line can be rebuilt. Snake_case columns are
 * derived by TrailKeep: the finding type split into its parts, the severity band, counts and
 * times from {@code service}, and the entity keys investigations join on (access keys,
 * principals, instances, ENIs, addresses, domains, buckets, clusters, pods).
 */
public final class GuardDutyTable {

  private GuardDutyTable() {}

  public static final String NAME = "guardduty_findings";
  public static final String PARTITION_COLUMN = "event_date";

  /** One exported finding (schemaVersion 2.0), top level. */
  public static final JsonSpec FINDING = JsonSpec.builder()
      .string("schemaVersion", "accountId", "region", "partition", "id", "arn", "type")
      .json("resource", "service", "severity")
      .timestamp("createdAt")
      .timestamp("updatedAt")
      .string("title", "description")
      .build();

  private static final DataType STRINGS = DataTypes.createArrayType(DataTypes.StringType, false);

  /** Derived columns, after the finding's own, in this order. */
  public static final StructType DERIVED = DataTypes.createStructType(new StructField[] {
      field(PARTITION_COLUMN, DataTypes.DateType),
      field("account_id", DataTypes.StringType),
      field("threat_purpose", DataTypes.StringType),
      field("resource_type_affected", DataTypes.StringType),
      field("threat_family", DataTypes.StringType),
      field("detection_mechanism", DataTypes.StringType),
      field("artifact", DataTypes.StringType),
      field("severity_score", DataTypes.DoubleType),
      field("severity_band", DataTypes.StringType),
      field("resource_type", DataTypes.StringType),
      field("action_type", DataTypes.StringType),
      field("finding_count", DataTypes.LongType),
      field("first_seen", DataTypes.TimestampType),
      field("last_seen", DataTypes.TimestampType),
      field("archived", DataTypes.BooleanType),
      field("sample", DataTypes.BooleanType),
      field("access_key_id", DataTypes.StringType),
      field("principal_arn", DataTypes.StringType),
      field("user_name", DataTypes.StringType),
      field("instance_id", DataTypes.StringType),
      field("eni_ids", STRINGS),
      field("private_ips", STRINGS),
      field("public_ips", STRINGS),
      field("remote_ips", STRINGS),
      field("domains", STRINGS),
      field("bucket_names", STRINGS),
      field("cluster_name", DataTypes.StringType),
      field("pod_name", DataTypes.StringType),
      field("source_file", DataTypes.StringType),
      field("source_position", DataTypes.IntegerType)
  });

  public static final StructType SCHEMA = buildSchema();

  /** Columns investigations filter by; min/max statistics are kept for these only. */
  public static final List<String> STATS_COLUMNS = List.of("id", "type", "updatedAt",
      "account_id", "severity_score", "access_key_id", "instance_id", "principal_arn");

  /** A finding's identity. */
  public static final List<String> KEY = List.of("id");

  /** Orders versions of one finding. */
  public static final String VERSION_COLUMN = "updatedAt";

  private static StructType buildSchema() {
    List<StructField> out = new ArrayList<>(List.of(FINDING.sparkType().fields()));
    out.addAll(List.of(DERIVED.fields()));
    return DataTypes.createStructType(out);
  }

  private static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }
}
