package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.explode_outer;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.trailkeep.lake.Lake;
import io.trailkeep.schema.EntityTables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The facts of {@code entity_interfaces}: which instance, network interface and private or public
 * address belonged together, and when. From CloudTrail, the EC2 calls that assign them and
 * succeeded: {@code RunInstances} (each launched instance with each of its interfaces and their
 * addresses, from the response), {@code CreateNetworkInterface} (the new interface and its private
 * address), {@code AttachNetworkInterface} (interface to instance), {@code AssociateAddress}
 * (public address to instance or interface; an allocation id is turned into its address through
 * the {@code AllocateAddress} call of the same days) and {@code DisassociateAddress} (the public
 * address released; through the association's id likewise). From the flow logs, per interface and
 * day, its own private address (the source of its egress records and the destination of its
 * ingress ones; in formats without a direction, the address found in more than half of its
 * records) and its instance when the format records it.
 *
 * <p>{@link #resolve} answers "whose was this address at that time": the latest fact about the
 * address up to that time. Cost: one filtered pass over the changed days' EC2 calls and one
 * aggregation of their flow records by interface. No side effects (the caller writes).
 */
public final class InterfaceResolution {
  static final List<String> CALLS = List.of("RunInstances", "CreateNetworkInterface", "AttachNetworkInterface",
      "AssociateAddress", "DisassociateAddress", "AllocateAddress");

  private InterfaceResolution() {}

  private static final StructType NIC = DataTypes.createStructType(List.of(
      string("networkInterfaceId"), string("privateIpAddress"),
      DataTypes.createStructField("association", DataTypes.createStructType(List.of(string("publicIp"))), true)));
  private static final StructType INSTANCE = DataTypes.createStructType(List.of(
      string("instanceId"), string("privateIpAddress"), string("ipAddress"),
      DataTypes.createStructField("networkInterfaceSet", items(NIC), true)));
  private static final StructType RUN_RESPONSE = DataTypes.createStructType(List.of(
      DataTypes.createStructField("instancesSet", items(INSTANCE), true)));

  /** Rows of {@code entity_interfaces} (its schema, in order) from the EC2 calls in {@code ct}. */
  public static Dataset<Row> fromCalls(Dataset<Row> ct) {
    Dataset<Row> ec2 = ct.filter(col("eventSource").equalTo("ec2.amazonaws.com").and(col("errorCode").isNull())
        .and(col("eventName").isin(CALLS.toArray())));
    Column req = col("requestParameters");
    Column resp = col("responseElements");
    Dataset<Row> run = ec2.filter(col("eventName").equalTo("RunInstances"))
        .withColumn("_i", explode(from_json(resp, RUN_RESPONSE).getField("instancesSet").getField("items")))
        .withColumn("_n", explode_outer(col("_i.networkInterfaceSet.items")))
        .select(fact(col("_i.instanceId"), col("_n.networkInterfaceId"),
            coalesce(col("_n.privateIpAddress"), col("_i.privateIpAddress")),
            coalesce(col("_n.association.publicIp"), col("_i.ipAddress"))));
    Dataset<Row> created = ec2.filter(col("eventName").equalTo("CreateNetworkInterface"))
        .select(fact(lit(null), get_json_object(resp, "$.networkInterface.networkInterfaceId"),
            get_json_object(resp, "$.networkInterface.privateIpAddress"),
            get_json_object(resp, "$.networkInterface.association.publicIp")));
    Dataset<Row> attached = ec2.filter(col("eventName").equalTo("AttachNetworkInterface"))
        .select(fact(get_json_object(req, "$.instanceId"), get_json_object(req, "$.networkInterfaceId"),
            lit(null), lit(null)));
    // an address named by its allocation (VPC) or association id: the allocation's address
    Dataset<Row> allocations = ec2.filter(col("eventName").equalTo("AllocateAddress"))
        .select(get_json_object(resp, "$.allocationId").alias("_alloc"),
            get_json_object(resp, "$.publicIp").alias("_alloc_ip"))
        .filter(col("_alloc").isNotNull()).dropDuplicates("_alloc");
    Dataset<Row> associations = ec2.filter(col("eventName").equalTo("AssociateAddress"))
        .withColumn("_alloc", get_json_object(req, "$.allocationId"))
        .join(allocations, new String[] {"_alloc"}, "left")
        .withColumn("_public", coalesce(get_json_object(req, "$.publicIp"), col("_alloc_ip")));
    Dataset<Row> associated = associations.select(fact(get_json_object(req, "$.instanceId"),
        get_json_object(req, "$.networkInterfaceId"), get_json_object(req, "$.privateIpAddress"), col("_public")));
    Dataset<Row> byAssociation = associations
        .select(get_json_object(resp, "$.associationId").alias("_assoc"), col("_public").alias("_assoc_ip"))
        .filter(col("_assoc").isNotNull()).dropDuplicates("_assoc");
    Dataset<Row> released = ec2.filter(col("eventName").equalTo("DisassociateAddress"))
        .withColumn("_assoc", get_json_object(req, "$.associationId"))
        .join(byAssociation, new String[] {"_assoc"}, "left")
        .select(fact(lit(null), lit(null), lit(null), coalesce(get_json_object(req, "$.publicIp"), col("_assoc_ip"))));
    return run.unionByName(created).unionByName(attached).unionByName(associated).unionByName(released)
        .filter(col("interface_id").isNotNull().or(col("instance_id").isNotNull()).or(col("public_ip").isNotNull()));
  }

  /** Rows of {@code entity_interfaces} from flow records: per interface and day, its address and instance. */
  public static Dataset<Row> fromFlows(Dataset<Row> flows) {
    Column direction = col("flow_direction");
    Column local = when(direction.equalTo("egress"), col("srcaddr"))
        .when(direction.equalTo("ingress"), col("dstaddr"));
    Dataset<Row> f = flows.filter(col("interface_id").isNotNull().and(col("interface_id").startsWith("eni-")))
        .select(col("interface_id"), coalesce(col("account_id"), col("log_account_id")).alias("account_id"),
            col("region"), col("instance_id"), col("start_time"), col("end_time"), col("event_date"),
            when(local.isNotNull(), array(local)).otherwise(array(col("srcaddr"), col("dstaddr"))).alias("_cands"),
            local.isNotNull().alias("_directed"));
    Dataset<Row> perInterface = f.groupBy("interface_id", "event_date")
        .agg(count(lit(1)).alias("_records"));
    Dataset<Row> perAddress = f.withColumn("_addr", explode(col("_cands")))
        .groupBy("interface_id", "event_date", "_addr")
        .agg(count(lit(1)).alias("_n"), sum(when(col("_directed"), 1L).otherwise(0L)).alias("_directed_n"),
            first("account_id", true).alias("account_id"), first("region", true).alias("region"),
            max("instance_id").alias("instance_id"), min("start_time").alias("first_seen"),
            max("end_time").alias("last_seen"))
        .join(perInterface, new String[] {"interface_id", "event_date"})
        // its own address: named by a direction, or present in more than half of its records
        .filter(col("_directed_n").gt(0).or(col("_n").multiply(2).gt(col("_records"))));
    return perAddress.select(col("account_id"), col("region"), col("instance_id"), col("interface_id"),
        col("_addr").alias("private_ip"), lit(null).cast("string").alias("public_ip"), lit("vpc_flow").alias("evidence"),
        col("first_seen"), col("last_seen"), col("_n").alias("records"), lit(null).cast("string").alias("event_id"),
        col("event_date"));
  }

  /** Whose an address was at a time: the latest fact about it up to then. */
  public record Binding(String accountId, String instanceId, String interfaceId, String evidence, Instant since,
      boolean released) {}

  /**
   * The instance and interface {@code address} (private or public) belonged to in
   * {@code account} at {@code at}: the latest fact of {@code entity_interfaces} about it seen at
   * or before then (a flow day counts from its first record). Empty when nothing is known; when
   * the latest fact released it ({@code DisassociateAddress}), the binding says {@code released}.
   * Cost: one filtered read of the table, values bound as literals.
   */
  public static Optional<Binding> resolve(Lake lake, String account, String address, Instant at) {
    if (!lake.exists(EntityTables.INTERFACES)) {
      return Optional.empty();
    }
    List<Row> rows = lake.read(EntityTables.INTERFACES)
        .filter(col("account_id").equalTo(lit(account))
            .and(col("private_ip").equalTo(lit(address)).or(col("public_ip").equalTo(lit(address))))
            .and(col("first_seen").leq(lit(Timestamp.from(at)))))
        .orderBy(col("first_seen").desc(), col("evidence").equalTo("vpc_flow").asc())
        .select("instance_id", "interface_id", "evidence", "first_seen").limit(1).collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Row r = rows.get(0);
    return Optional.of(new Binding(account, r.getString(0), r.getString(1), r.getString(2),
        r.getTimestamp(3).toInstant(), "DisassociateAddress".equals(r.getString(2))));
  }

  private static Column[] fact(Column instance, Column iface, Column privateIp, Column publicIp) {
    return new Column[] {col("account_id"), col("awsRegion").alias("region"),
        instance.cast("string").alias("instance_id"), iface.cast("string").alias("interface_id"),
        privateIp.cast("string").alias("private_ip"), publicIp.cast("string").alias("public_ip"),
        col("eventName").alias("evidence"), col("eventTime").alias("first_seen"), col("eventTime").alias("last_seen"),
        lit(1L).alias("records"), col("eventID").alias("event_id"), col("event_date")};
  }

  private static org.apache.spark.sql.types.StructField string(String name) {
    return DataTypes.createStructField(name, DataTypes.StringType, true);
  }

  private static DataType items(StructType element) {
    return DataTypes.createStructType(List.of(
        DataTypes.createStructField("items", DataTypes.createArrayType(element), true)));
  }
}
