package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.col;

import io.trailkeep.lake.Lake;
import io.trailkeep.lake.MaintenanceState;
import io.trailkeep.lake.SourceVersions;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.EntityTables;
import io.trailkeep.schema.VpcFlowTable;
import java.sql.Date;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Brings the entity-resolution tables up to date with the source days that changed since the
 * versions recorded in {@code entity_state}: {@code entity_sessions} ({@link SessionResolution},
 * append-only), {@code entity_interfaces} ({@link InterfaceResolution}: the changed days of
 * {@code cloudtrail} and {@code vpc_flow}) and {@code entity_identities}
 * ({@link IdentityResolution}: the changed days of {@code cloudtrail}, after the sessions, whose
 * chains it reads). The per-day tables replace exactly the days they recompute (one
 * {@code replaceWhere} commit each), so a rerun, or a rerun after a crash before the state was
 * recorded, gives the same tables. Cost: one pass over each changed day of both sources. Side
 * effects: the three tables and {@code entity_state}.
 */
public final class EntityResolution {
  private EntityResolution() {}

  /** What one update did: the changed days read per source, rows added or recomputed per table. */
  public record Outcome(int cloudtrailDays, int flowDays, long sessionsAdded, long interfaceFacts,
      long identityRows) {}

  public static Outcome update(Lake lake, String runId) {
    Map<String, Long> versions = new LinkedHashMap<>();
    Set<String> ctDays = changedDays(lake, CloudTrailTable.NAME, versions);
    Set<String> flowDays = changedDays(lake, VpcFlowTable.NAME, versions);
    long sessions = SessionResolution.addSessions(lake, dates(ctDays));
    long interfaces = 0;
    long identities = 0;
    Set<String> interfaceDays = new TreeSet<>(ctDays);
    interfaceDays.addAll(flowDays);
    if (!interfaceDays.isEmpty()) {
      // a day is replaced whole, so both sources are read for every day either changed
      Dataset<Row> facts = lake.exists(CloudTrailTable.NAME)
          ? InterfaceResolution.fromCalls(onDays(lake, CloudTrailTable.NAME, interfaceDays)) : null;
      if (lake.exists(VpcFlowTable.NAME)) {
        Dataset<Row> flows = InterfaceResolution.fromFlows(onDays(lake, VpcFlowTable.NAME, interfaceDays));
        facts = facts == null ? flows : facts.unionByName(flows);
      }
      interfaces = replaceDays(lake, EntityTables.INTERFACES, EntityTables.INTERFACES_SCHEMA, facts, interfaceDays);
    }
    if (!ctDays.isEmpty()) {
      Dataset<Row> sessionsTable = lake.exists(EntityTables.SESSIONS) ? lake.read(EntityTables.SESSIONS) : null;
      identities = replaceDays(lake, EntityTables.IDENTITIES, EntityTables.IDENTITIES_SCHEMA,
          IdentityResolution.rows(onDays(lake, CloudTrailTable.NAME, ctDays), sessionsTable), ctDays);
    }
    SourceVersions.record(lake, EntityTables.STATE, versions, runId);
    return new Outcome(ctDays.size(), flowDays.size(), sessions, interfaces, identities);
  }

  /** The days of {@code table} changed since entity_state's version; records the current one. */
  private static Set<String> changedDays(Lake lake, String table, Map<String, Long> versions) {
    if (!lake.exists(table)) {
      return Set.of();
    }
    versions.put(table, MaintenanceState.currentVersion(lake, table));
    return MaintenanceState.dataChangedPartitions(lake, table, SourceVersions.last(lake, EntityTables.STATE, table));
  }

  private static Dataset<Row> onDays(Lake lake, String table, Set<String> days) {
    return lake.read(table).filter(col("event_date").isin(dates(days).toArray()));
  }

  private static List<Date> dates(Set<String> days) {
    List<Date> out = new ArrayList<>();
    days.forEach(d -> out.add(Date.valueOf(d)));
    return out;
  }

  /** Replaces {@code days} of {@code table} with {@code rows} in one commit; returns the rows written. */
  private static long replaceDays(Lake lake, String table, StructType schema, Dataset<Row> rows, Set<String> days) {
    Column[] cols = new Column[schema.fields().length];
    for (int i = 0; i < cols.length; i++) {
      cols[i] = col(schema.fields()[i].name()).cast(schema.fields()[i].dataType());
    }
    Dataset<Row> typed = rows.select(cols).localCheckpoint();
    lake.ensure(table, schema, EntityTables.PARTITION_COLUMN, Map.of());
    typed.write().format("delta").mode("overwrite")
        .option("replaceWhere", MaintenanceState.dayPredicate(days)).save(lake.pathOf(table));
    return typed.count();
  }
}
