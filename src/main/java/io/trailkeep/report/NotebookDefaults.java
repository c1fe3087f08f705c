package io.trailkeep.report;

import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.IncidentTables;
import io.trailkeep.schema.VpcFlowTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The values a notebook's empty parameters take from the lake: the latest high or critical
 * incident (one with an instance when the notebook follows an instance), its most active
 * principal, its long-term key, its instance and its days; a notebook that follows no entity gets
 * the lake's last seven days. The query is {@code report/notebook-defaults.sql}, which every
 * notebook's setup cell also holds, word for word, so the notebooks fill their parameters the same
 * way in EMR Studio and Glue. Cost: one Spark query per notebook with an empty parameter.
 */
public final class NotebookDefaults {
  /** The query, as the notebooks also hold it. */
  public static final String SQL = TimelinePage.resource("report/notebook-defaults.sql");

  /** Parameter name (without the prefix) to the query's column. */
  static final Map<String, String> COLUMNS = Map.of("incident", "incident", "principal", "principal",
      "access_key", "access_key", "instance", "instance", "from", "from_day", "to", "to_day");
  private static final List<String> ENTITIES = List.of("incident", "principal", "access_key", "instance");

  private NotebookDefaults() {}

  /** A value and where it came from, as the rendered page states it. */
  public record Value(String value, String origin) {}

  /**
   * Fills the empty values of {@code values} (full parameter names) that the query knows; the
   * others are returned as they are, with {@code origin} "given" or "notebook" as
   * {@code given} says.
   */
  public static Map<String, Value> fill(Lake lake, Map<String, String> values, Map<String, String> given) {
    Map<String, Value> out = new LinkedHashMap<>();
    boolean anyEmpty = false;
    for (Map.Entry<String, String> e : values.entrySet()) {
      String name = e.getKey().substring(NotebookQuery.PREFIX.length());
      anyEmpty |= e.getValue().isEmpty() && COLUMNS.containsKey(name);
      out.put(e.getKey(), new Value(e.getValue(), given.containsKey(e.getKey()) ? "given" : "notebook"));
    }
    if (!anyEmpty) {
      return out;
    }
    Row row = defaults(lake, values, given);
    String incident = row == null ? null : row.getAs("incident");
    boolean byIncident = incident != null && byIncident(values, given);
    for (Map.Entry<String, String> e : values.entrySet()) {
      String name = e.getKey().substring(NotebookQuery.PREFIX.length());
      if (e.getValue().isEmpty() && COLUMNS.containsKey(name)) {
        String v = row == null ? null : row.getAs(COLUMNS.get(name));
        boolean day = name.equals("from") || name.equals("to");
        String origin = v == null ? "none in this lake" : day && !byIncident ? "from the lake: its last seven days"
            : "from the lake: incident " + incident;
        out.put(e.getKey(), new Value(v == null ? "" : v, origin));
      }
    }
    return out;
  }

  /**
   * Whether the days are the chosen incident's: the notebook follows an entity and the user named
   * none but (perhaps) the incident; an entity the user named is looked at over the lake's last days,
   * not over the days of an incident it may have nothing to do with.
   */
  private static boolean byIncident(Map<String, String> values, Map<String, String> given) {
    boolean follows = ENTITIES.stream().anyMatch(n -> values.containsKey(NotebookQuery.PREFIX + n));
    boolean named = ENTITIES.stream().filter(n -> !n.equals("incident"))
        .anyMatch(n -> !given.getOrDefault(NotebookQuery.PREFIX + n, "").isEmpty());
    return follows && !named;
  }

  private static Row defaults(Lake lake, Map<String, String> values, Map<String, String> given) {
    if (!lake.exists(CloudTrailTable.NAME)) {
      return null;
    }
    SparkSession spark = lake.spark();
    boolean incidents = lake.exists(IncidentTables.INCIDENTS) && lake.exists(IncidentTables.TIMELINE);
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("incident", values.getOrDefault(NotebookQuery.PREFIX + "incident", ""));
    args.put("need_instance", values.containsKey(NotebookQuery.PREFIX + "instance"));
    args.put("by_incident", incidents && byIncident(values, given));
    String sql = SQL;
    if (!incidents) {
      // a lake before its first correlate: no incident to take, the days from cloudtrail alone
      sql = "SELECT CAST(NULL AS STRING) AS incident, CAST(NULL AS STRING) AS principal, "
          + "CAST(NULL AS STRING) AS access_key, CAST(NULL AS STRING) AS instance, "
          + "CAST(date_sub(max(event_date), 6) AS STRING) AS from_day, CAST(max(event_date) AS STRING) AS to_day "
          + "FROM cloudtrail";
    }
    boolean noFlows = incidents && !lake.exists(VpcFlowTable.NAME);
    if (noFlows) {
      // what the query reads of vpc_flow, empty, for a lake without flow logs (as the notebooks do)
      spark.createDataFrame(List.of(), new org.apache.spark.sql.types.StructType()
          .add("instance_id", "string").add("action", "string").add("event_date", "date"))
          .createOrReplaceTempView(VpcFlowTable.NAME);
    }
    try {
      List<Row> rows = spark.sql(sql, args).collectAsList();
      return rows.isEmpty() ? null : rows.get(0);
    } finally {
      if (noFlows) {
        spark.catalog().dropTempView(VpcFlowTable.NAME);
      }
    }
  }
}
