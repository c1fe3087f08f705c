package io.trailkeep.detect;

import io.trailkeep.schema.Source;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each source table keeps the entities of a row, as named columns of an alert: the
 * expressions come from the {@link Source} registry; detection (an alert's default entities),
 * correlation and investigations share them. No cost, no side effects.
 */
public final class Entities {
  private Entities() {}

  /**
   * Per source table, the SQL expression (trusted, ours) of each entity of a row - account,
   * region, principal, access key, source address, resource - and of its time and identity. Alerts
   * take their default entities from these; correlation and investigations use the same.
   */
  public static final Map<String, Map<String, String>> BY_TABLE = byTable();

  private static Map<String, Map<String, String>> byTable() {
    Map<String, Map<String, String>> m = new LinkedHashMap<>();
    for (Source s : Source.values()) {
      Source.EntityColumns e = s.entities();
      m.put(s.table(), entities(e.account(), e.region(), e.principal(), e.accessKey(), e.sourceIp(),
          e.resource(), e.time(), e.endTime(), e.eventId(), e.findingId()));
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** The entity columns of an alert, in order. */
  public static final List<String> COLUMNS = List.of("account_id", "region", "principal",
      "access_key_id", "source_ip", "resource");

  private static Map<String, String> entities(String account, String region, String principal,
      String key, String ip, String resource, String time, String endTime, String eventId,
      String findingId) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("account_id", account);
    m.put("region", region);
    m.put("principal", principal);
    m.put("access_key_id", key);
    m.put("source_ip", ip);
    m.put("resource", resource);
    m.put("event_time", time);
    m.put("event_end", endTime);
    m.put("event_id", eventId);
    m.put("finding_id", findingId);
    return m;
  }
}
