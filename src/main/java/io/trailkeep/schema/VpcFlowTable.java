package io.trailkeep.schema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code vpc_flow} table: one row per VPC Flow Logs record, partitioned by {@code event_date}
 * (the UTC day of the record's start).
 *
 * <p>Every field of flow-log versions 2 to 8 has a column, named after the field with hyphens
 * turned into underscores ({@code interface-id} becomes {@code interface_id}); {@code start} and
 * {@code end} become the timestamps {@code start_time} and {@code end_time}. A field that is not in
 * a file's format, or is {@code -} in a record, is null. Which fields a record's format carried is
 * kept in {@code log_format} (the header's field names, space separated), so "not captured" and
 * "not applicable" stay distinguishable. A value that does not fit its column's type, and any field
 * this table does not know yet, is kept verbatim in the {@code other_fields} JSON object, so the
 * table is lossless. Derived columns: {@code protocol_name}, {@code log_account_id} and
 * {@code flow_log_id} (from the object key).
 */
public final class VpcFlowTable {

  private VpcFlowTable() {}

  public static final String NAME = "vpc_flow";
  public static final String PARTITION_COLUMN = "event_date";
  public static final String OTHER_FIELDS = "other_fields";
  public static final String HASH_COLUMN = "record_hash";

  /** Column type of a flow-log field. */
  public enum Type { STRING, INT, LONG, EPOCH_SECONDS }

  /** One flow-log field: its name in headers, its column and the version that introduced it. */
  public static final class Field implements Serializable {
    private static final long serialVersionUID = 1L;
    public final String name;
    public final String column;
    public final Type type;
    public final int version;
    /** Position in {@link #SCHEMA}. */
    public final int index;

    Field(String name, String column, Type type, int version, int index) {
      this.name = name;
      this.column = column;
      this.type = type;
      this.version = version;
      this.index = index;
    }
  }

  private static final List<Field> FIELDS = new ArrayList<>();
  private static final Map<String, Field> BY_NAME = new HashMap<>();

  static {
    add(2, Type.INT, "version");
    add(2, Type.STRING, "account-id", "interface-id", "srcaddr", "dstaddr");
    add(2, Type.INT, "srcport", "dstport", "protocol");
    add(2, Type.LONG, "packets", "bytes");
    add(2, Type.EPOCH_SECONDS, "start", "end");
    add(2, Type.STRING, "action", "log-status");
    add(3, Type.STRING, "vpc-id", "subnet-id", "instance-id");
    add(3, Type.INT, "tcp-flags");
    add(3, Type.STRING, "type", "pkt-srcaddr", "pkt-dstaddr");
    add(4, Type.STRING, "region", "az-id", "sublocation-type", "sublocation-id");
    add(5, Type.STRING, "pkt-src-aws-service", "pkt-dst-aws-service", "flow-direction");
    add(5, Type.INT, "traffic-path");
    add(6, Type.STRING, "resource-type", "tgw-id", "tgw-attachment-id", "tgw-src-vpc-account-id",
        "tgw-dst-vpc-account-id", "tgw-src-vpc-id", "tgw-dst-vpc-id", "tgw-src-subnet-id",
        "tgw-dst-subnet-id", "tgw-src-eni", "tgw-dst-eni", "tgw-src-az-id", "tgw-dst-az-id",
        "tgw-pair-attachment-id");
    add(6, Type.LONG, "packets-lost-no-route", "packets-lost-blackhole",
        "packets-lost-mtu-exceeded", "packets-lost-ttl-expired");
    add(7, Type.STRING, "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn",
        "ecs-container-instance-id", "ecs-container-id", "ecs-second-container-id",
        "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn", "ecs-task-id");
    add(8, Type.STRING, "reject-reason");
  }

  private static void add(int version, Type type, String... names) {
    for (String n : names) {
      String column = n.equals("start") ? "start_time" : n.equals("end") ? "end_time"
          : n.replace('-', '_');
      Field f = new Field(n, column, type, version, FIELDS.size());
      FIELDS.add(f);
      BY_NAME.put(n, f);
    }
  }

  /** The default (version 2) format, in AWS's order. */
  public static final List<String> DEFAULT_FORMAT = List.of("version", "account-id", "interface-id",
      "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end",
      "action", "log-status");

  /** Every known field, in column order. */
  public static List<Field> fields() {
    return Collections.unmodifiableList(FIELDS);
  }

  /**
   * The field a header or Parquet column name denotes, or null. Accepts the hyphenated header
   * spelling and the underscored Parquet spelling.
   */
  public static Field field(String name) {
    Field f = BY_NAME.get(name);
    return f != null ? f : BY_NAME.get(name.replace('_', '-'));
  }

  /**
   * Derived columns after the fields, in this order (source_file/source_position last);
   * {@code record_hash} is xxhash64 of {@link #contentColumns()}, filled by ingest.
   */
  public static final StructType DERIVED = DataTypes.createStructType(new StructField[] {
      field("protocol_name", DataTypes.StringType),
      field(OTHER_FIELDS, DataTypes.StringType),
      field("log_format", DataTypes.StringType),
      field("log_account_id", DataTypes.StringType),
      field("flow_log_id", DataTypes.StringType),
      field(PARTITION_COLUMN, DataTypes.DateType),
      field("record_hash", DataTypes.LongType),
      field("source_file", DataTypes.StringType),
      field("source_position", DataTypes.IntegerType)
  });

  public static final StructType SCHEMA = buildSchema();

  /** Columns flow investigations filter by; min/max statistics are kept for these only. */
  public static final List<String> STATS_COLUMNS = List.of("interface_id", "srcaddr", "dstaddr",
      "dstport", "start_time", "action", "instance_id", "log_account_id", "source_file");

  /**
   * A record's identity besides its content hash: flow records have no id, so a record is the same
   * one when it has the same interface, 5-tuple and capture window and the same content
   * ({@code record_hash}). A rerun, or the same file delivered under another key, adds nothing.
   */
  public static final List<String> DEDUP_KEY = List.of("interface_id", "srcaddr", "dstaddr",
      "srcport", "dstport", "protocol", "start_time");

  /** The columns a record's content hash covers: every flow-log field plus other_fields. */
  public static List<String> contentColumns() {
    List<String> out = new ArrayList<>();
    for (Field f : FIELDS) {
      out.add(f.column);
    }
    out.add(OTHER_FIELDS);
    return List.copyOf(out);
  }

  /** Index of a column in {@link #SCHEMA}. */
  public static int indexOf(String column) {
    return SCHEMA.fieldIndex(column);
  }

  private static StructType buildSchema() {
    List<StructField> out = new ArrayList<>();
    for (Field f : FIELDS) {
      out.add(field(f.column, sparkType(f.type)));
    }
    out.addAll(List.of(DERIVED.fields()));
    return DataTypes.createStructType(out);
  }

  private static DataType sparkType(Type t) {
    switch (t) {
      case INT:
        return DataTypes.IntegerType;
      case LONG:
        return DataTypes.LongType;
      case EPOCH_SECONDS:
        return DataTypes.TimestampType;
      default:
        return DataTypes.StringType;
    }
  }

  private static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }
}
