package io.trailkeep.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The registry of the log sources TrailKeep lands: each source's ingest name (as
 * {@code ingest --source} and the raw key layouts spell it), its tables, the label its rows carry in
 * timelines and rule cases, its quarantine table, and where its rows keep their entities. Ingest,
 * detect, correlate and the lake checks read the list from here. No cost, no side effects.
 */
public enum Source {
  CLOUDTRAIL("cloudtrail", CloudTrailTable.NAME, List.of(CloudTrailTable.INSIGHTS_NAME), "cloudtrail",
      new EntityColumns("account_id", "awsRegion", "actor_principal", "access_key_id", "source_ip",
          "coalesce(resources[0].ARN, get_json_object(requestParameters, '$.bucketName'), "
              + "get_json_object(requestParameters, '$.userName'), get_json_object(requestParameters, '$.roleName'), "
              + "get_json_object(requestParameters, '$.groupId'), get_json_object(requestParameters, '$.instanceId'), "
              + "get_json_object(requestParameters, '$.instancesSet.items[0].instanceId'), "
              + "get_json_object(requestParameters, '$.functionName'), get_json_object(requestParameters, '$.keyId'), "
              + "get_json_object(requestParameters, '$.dBInstanceIdentifier'), "
              + "get_json_object(requestParameters, '$.snapshotId'), get_json_object(requestParameters, '$.name'), "
              + "get_json_object(requestParameters, '$.trailName'))",
          "eventTime", "eventTime", "coalesce(eventID, concat('sha:', cast(record_hash as string)))",
          "cast(null as string)")),
  VPCFLOW("vpcflow", VpcFlowTable.NAME, List.of(), "vpc_flow",
      new EntityColumns("log_account_id", "region", "cast(null as string)", "cast(null as string)",
          "srcaddr", "coalesce(instance_id, interface_id)", "start_time", "start_time",
          "concat('flow:', cast(record_hash as string))", "cast(null as string)")),
  GUARDDUTY("guardduty", GuardDutyTable.NAME, List.of(), "guardduty",
      new EntityColumns("accountId", "region", "principal_arn", "access_key_id", "remote_ips[0]",
          "coalesce(instance_id, bucket_names[0], cluster_name, resource_type)",
          "coalesce(first_seen, createdAt)", "greatest(coalesce(last_seen, first_seen, createdAt), "
              + "coalesce(first_seen, createdAt))", "cast(null as string)", "id"));

  /**
   * The SQL expressions (trusted, ours) that give a row's entities - account, region, principal,
   * access key, source address, resource - and its time and identity (an event id, or a finding id).
   * {@code time} and {@code endTime} are when the row's activity happened: an event's time, or a
   * GuardDuty finding's first and last sight of the activity it reports (never {@code updatedAt},
   * the time of the finding's latest update, which moves on every update).
   */
  public record EntityColumns(String account, String region, String principal, String accessKey,
      String sourceIp, String resource, String time, String endTime, String eventId, String findingId) {}

  private final String ingestName;
  private final String table;
  private final List<String> otherTables;
  private final String label;
  private final EntityColumns entities;

  Source(String ingestName, String table, List<String> otherTables, String label, EntityColumns entities) {
    this.ingestName = ingestName;
    this.table = table;
    this.otherTables = otherTables;
    this.label = label;
    this.entities = entities;
  }

  /** The name {@code ingest --source} takes and the raw key layouts use ({@code vpcflow}). */
  public String ingestName() {
    return ingestName;
  }

  /** The source's main table ({@code vpc_flow}): what detection scans and correlation reads. */
  public String table() {
    return table;
  }

  /** Every table ingest lands this source in (CloudTrail also fills {@code cloudtrail_insights}). */
  public List<String> tables() {
    List<String> all = new ArrayList<>();
    all.add(table);
    all.addAll(otherTables);
    return Collections.unmodifiableList(all);
  }

  /** The label of the source's rows in timelines and the key of its records in rule cases. */
  public String label() {
    return label;
  }

  /** The table holding the source's records that could not be parsed. */
  public String quarantineTable() {
    return QuarantineTable.nameFor(ingestName);
  }

  public EntityColumns entities() {
    return entities;
  }

  /** The main table of every source, in processing order. */
  public static List<String> mainTables() {
    List<String> out = new ArrayList<>();
    for (Source s : values()) {
      out.add(s.table());
    }
    return Collections.unmodifiableList(out);
  }

  /** Every table any source lands in: the tables that make a folder a lake. */
  public static List<String> dataTables() {
    List<String> out = new ArrayList<>();
    for (Source s : values()) {
      out.addAll(s.tables());
    }
    return Collections.unmodifiableList(out);
  }

  /** The source of an ingest name, or null. */
  public static Source byIngestName(String name) {
    for (Source s : values()) {
      if (s.ingestName.equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** The source whose main table is {@code table}, or null. */
  public static Source byTable(String table) {
    for (Source s : values()) {
      if (s.table.equals(table)) {
        return s;
      }
    }
    return null;
  }
}
