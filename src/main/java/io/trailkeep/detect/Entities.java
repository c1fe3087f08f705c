package io.trailkeep.detect;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each source table keeps the entities of a row: the one definition that detection (an
 * alert's default entities), correlation and investigations share. No cost, no side effects.
 */
public final class Entities {
  private Entities() {}

  /**
   * Per source table, the SQL expression (trusted, ours) of each entity of a row - account,
   * region, principal, access key, source address, resource - and of its time and identity. Alerts
   * take their default entities from these; correlation and investigations use the same.
   */
  public static final Map<String, Map<String, String>> BY_TABLE = Map.of(
      "cloudtrail", entities("account_id", "awsRegion", "actor_principal", "access_key_id",
          "source_ip", "coalesce(resources[0].ARN, get_json_object(requestParameters, '$.bucketName'), "
              + "get_json_object(requestParameters, '$.userName'), get_json_object(requestParameters, '$.roleName'), "
              + "get_json_object(requestParameters, '$.groupId'), get_json_object(requestParameters, '$.instanceId'), "
              + "get_json_object(requestParameters, '$.instancesSet.items[0].instanceId'), "
              + "get_json_object(requestParameters, '$.functionName'), get_json_object(requestParameters, '$.keyId'), "
              + "get_json_object(requestParameters, '$.dBInstanceIdentifier'), "
              + "get_json_object(requestParameters, '$.snapshotId'), get_json_object(requestParameters, '$.name'), "
              + "get_json_object(requestParameters, '$.trailName'))",
          "eventTime", "coalesce(eventID, concat('sha:', cast(record_hash as string)))", "cast(null as string)"),
      "vpc_flow", entities("log_account_id", "region", "cast(null as string)", "cast(null as string)",
          "srcaddr", "coalesce(instance_id, interface_id)", "start_time",
          "concat('flow:', cast(record_hash as string))", "cast(null as string)"),
      "guardduty_findings", entities("accountId", "region", "principal_arn", "access_key_id",
          "remote_ips[0]", "coalesce(instance_id, bucket_names[0], cluster_name, resource_type)",
          "updatedAt", "cast(null as string)", "id"));

  /** The entity columns of an alert, in order. */
  public static final List<String> COLUMNS = List.of("account_id", "region", "principal",
      "access_key_id", "source_ip", "resource");

  private static Map<String, String> entities(String account, String region, String principal,
      String key, String ip, String resource, String time, String eventId, String findingId) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("account_id", account);
    m.put("region", region);
    m.put("principal", principal);
    m.put("access_key_id", key);
    m.put("source_ip", ip);
    m.put("resource", resource);
    m.put("event_time", time);
    m.put("event_id", eventId);
    m.put("finding_id", findingId);
    return m;
  }
}
