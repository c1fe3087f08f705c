package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;

import io.trailkeep.conf.Arguments;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.PrincipalRef;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.VpcFlowTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * An ad hoc timeline without an alert: everything the lake holds about one principal, access
 * key, address, instance or bucket over a range of days, from CloudTrail, flow logs, GuardDuty
 * and alerts, as {@link Timeline} rows with a null incident id. The value is compared as a bound
 * literal in Column expressions, never spliced into SQL text.
 *
 * <p>Cost: principal and access-key lookups read CloudTrail through {@link ActivityQuery} (only
 * the actor's files); an address, instance or bucket scans the days' CloudTrail files; flows are
 * scanned for addresses and instances only. Nothing runs until the Dataset is used. No side
 * effects.
 */
public final class Investigation {
  /** What to follow. */
  public enum Kind {
    PRINCIPAL, ACCESS_KEY, IP, INSTANCE, BUCKET;

    /** The command-line flag that selects this kind. */
    public String flag() {
      return "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The value in its normal form, or a {@link ConfException} (exit 2) naming the form expected:
     * an address, key id, instance id, bucket name (or ARN) or any {@link PrincipalRef} form.
     */
    public String check(String value) {
      return switch (this) {
        case PRINCIPAL -> PrincipalRef.parse(flag(), value).value();
        case ACCESS_KEY -> Arguments.accessKey(flag(), value);
        case IP -> Arguments.ip(flag(), value);
        case INSTANCE -> Arguments.instance(flag(), value);
        case BUCKET -> Arguments.bucket(flag(), value);
      };
    }
  }

  private final Lake lake;
  private final Kind kind;
  private final String value;
  private LocalDate from;
  private LocalDate to;

  private Investigation(Lake lake, Kind kind, String value) {
    this.lake = lake;
    this.kind = kind;
    this.value = kind.check(value);
  }

  public static Investigation of(Lake lake, Kind kind, String value) {
    return new Investigation(lake, kind, value);
  }

  /** First and last day (UTC, inclusive); null for no bound. */
  public Investigation days(LocalDate first, LocalDate last) {
    Arguments.dayRange("--from", first, "--to", last);
    this.from = first;
    this.to = last;
    return this;
  }

  /** The timeline, unordered (order with {@link Timeline#order()}). */
  public Dataset<Row> timeline() {
    if (!lake.exists(CloudTrailTable.NAME)) {
      throw new ConfException("no cloudtrail table under " + lake.root() + "; run 'trailkeep ingest' first");
    }
    Column v = lit(value);
    List<Dataset<Row>> parts = new ArrayList<>();
    Dataset<Row> events = cloudtrail(v);
    parts.add(Timeline.cloudtrail(events.withColumn("incident_id", lit(null).cast("string"))));
    // a session, a principal id or a role by name is not what alerts and findings record as their
    // principal: they are matched by the access keys the principal's own events used
    Column principalMatch = kind == Kind.PRINCIPAL && !principalRef().isActorPrincipal()
        ? col("access_key_id").isin(keysOf(events)) : null;
    if (lake.exists(VpcFlowTable.NAME) && (kind == Kind.IP || kind == Kind.INSTANCE)) {
      Column match = kind == Kind.IP ? col("srcaddr").equalTo(v).or(col("dstaddr").equalTo(v))
          : col("instance_id").equalTo(v);
      parts.add(Timeline.flows(lake.read(VpcFlowTable.NAME).filter(days(VpcFlowTable.PARTITION_COLUMN).and(match))
          .withColumn("incident_id", lit(null).cast("string"))));
    }
    if (lake.exists(GuardDutyTable.NAME)) {
      Column match = switch (kind) {
        case PRINCIPAL -> principalMatch != null ? principalMatch : col("principal_arn").equalTo(v);
        case ACCESS_KEY -> col("access_key_id").equalTo(v);
        case IP -> array_contains(col("remote_ips"), v).or(array_contains(col("public_ips"), v))
            .or(array_contains(col("private_ips"), v));
        case INSTANCE -> col("instance_id").equalTo(v);
        case BUCKET -> array_contains(col("bucket_names"), v);
      };
      parts.add(Timeline.findings(lake.read(GuardDutyTable.NAME).filter(days(GuardDutyTable.PARTITION_COLUMN)
          .and(match)).withColumn("incident_id", lit(null).cast("string"))));
    }
    if (lake.exists(AlertsTable.NAME)) {
      Column match = switch (kind) {
        case PRINCIPAL -> principalMatch != null ? principalMatch : col("principal").equalTo(v);
        case ACCESS_KEY -> col("access_key_id").equalTo(v);
        case IP -> col("source_ip").equalTo(v);
        case INSTANCE, BUCKET -> col("resource").equalTo(v);
      };
      parts.add(Timeline.alerts(lake.read(AlertsTable.NAME).filter(days(AlertsTable.PARTITION_COLUMN).and(match))
          .withColumn("incident_id", lit(null).cast("string"))));
    }
    Dataset<Row> all = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      all = all.unionByName(parts.get(i));
    }
    return all;
  }

  /** The principal followed, for {@link Kind#PRINCIPAL} (else null). */
  public PrincipalRef principalRef() {
    return kind == Kind.PRINCIPAL ? PrincipalRef.parse(kind.flag(), value) : null;
  }

  /** The distinct access keys of the given events (one small Spark job). */
  private static Object[] keysOf(Dataset<Row> events) {
    return events.select("access_key_id").where(col("access_key_id").isNotNull()).distinct()
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList().toArray();
  }

  private Dataset<Row> cloudtrail(Column v) {
    switch (kind) {
      case PRINCIPAL:
        return ActivityQuery.on(lake).principal(value).from(from).to(to).plan().events();
      case ACCESS_KEY:
        return ActivityQuery.on(lake).accessKey(value).from(from).to(to).plan().events();
      default:
        break;
    }
    Column match = switch (kind) {
      case IP -> col("source_ip").equalTo(v);
      // the id in a request or a response (RunInstances returns it), or as a resource
      case INSTANCE -> col("requestParameters").contains(v).or(col("responseElements").contains(v));
      default -> get_json_object(col("requestParameters"), "$.bucketName").equalTo(v)
          .or(array_contains(col("resources").getField("ARN"), concat(lit("arn:aws:s3:::"), v)));
    };
    return lake.read(CloudTrailTable.NAME).filter(days(CloudTrailTable.PARTITION_COLUMN).and(match));
  }

  private Column days(String column) {
    return ActivityQuery.dayRange(column, from, to);
  }
}
