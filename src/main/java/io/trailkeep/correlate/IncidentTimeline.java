package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;

import io.trailkeep.lake.Lake;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.EntityTables;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.IncidentTables;
import io.trailkeep.schema.VpcFlowTable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Builds the timelines of incidents: their alerts and findings; between the first seed minus the
 * window and the last seed plus the window, the CloudTrail events from their addresses and those
 * of their temporary keys made from their addresses (or by an AWS service for the session); the
 * events their alerts list, under the same address rule; the flow records to or from their
 * addresses and on the network interfaces of the instances their actor launched.
 *
 * <p>Cost: a plan (nothing runs until the caller computes it) joining the incidents' days of
 * cloudtrail and vpc_flow to the broadcast incident entities; the launched interfaces are two
 * filtered reads, collected. No side effects.
 */
final class IncidentTimeline {
  private IncidentTimeline() {}

  static final StructType ENTITY_SCHEMA = DataTypes.createStructType(List.of(
      DataTypes.createStructField("incident_id", DataTypes.StringType, false),
      DataTypes.createStructField("kind", DataTypes.StringType, false),
      DataTypes.createStructField("value", DataTypes.StringType, false),
      DataTypes.createStructField("scope_account", DataTypes.StringType, true),
      DataTypes.createStructField("t_from", DataTypes.TimestampType, false),
      DataTypes.createStructField("t_to", DataTypes.TimestampType, false),
      DataTypes.createStructField("addresses", DataTypes.createArrayType(DataTypes.StringType), false)));

  /** The timeline of every incident (not yet computed: a plan over the source tables). */
  static Dataset<Row> timeline(Lake lake, List<IncidentGraph.Incident> incidents,
      Map<String, SeedFacts> facts, Duration window) {
    Map<String, Set<String>> launched = launchedInterfaces(lake, incidents, facts, window);
    // the partitions every source read below is limited to
    Object[] days = spanDays(incidents, window).toArray();
    List<Row> entities = new ArrayList<>();
    for (IncidentGraph.Incident inc : incidents) {
      Span span = span(inc, window);
      Instant from = span.from();
      Instant to = span.to();
      Set<String> seen = new TreeSet<>();
      List<String> addresses = addresses(inc, facts);
      for (String eni : launched.getOrDefault(inc.id(), Set.of())) {
        entities.add(RowFactory.create(inc.id(), "eni", eni, null, Timestamp.from(from), Timestamp.from(to), addresses));
      }
      for (IncidentGraph.Seed s : inc.seeds()) {
        SeedFacts f = facts.get(s.id());
        entities.add(RowFactory.create(inc.id(), f.kind(), f.ref(), null, Timestamp.from(from), Timestamp.from(to),
            addresses));
        for (Link l : f.links()) {
          // one row per address and account, one per key (whatever address it was used from)
          String kind = l.kind() == Link.Kind.KEY ? "key" : "ip";
          if (!seen.add(kind + "|" + l.value() + "|" + l.account())) {
            continue;
          }
          entities.add(RowFactory.create(inc.id(), kind, l.value(), l.account(), Timestamp.from(from),
              Timestamp.from(to), addresses));
        }
      }
    }
    Dataset<Row> ent = broadcast(lake.spark().createDataFrame(entities, ENTITY_SCHEMA));
    List<Dataset<Row>> parts = new ArrayList<>();
    if (lake.exists(AlertsTable.NAME)) {
      parts.add(Timeline.alerts(lake.read(AlertsTable.NAME).join(ent.filter(col("kind").equalTo("alert")),
          col("alert_id").equalTo(col("value")))));
    }
    if (lake.exists(GuardDutyTable.NAME)) {
      parts.add(Timeline.findings(lake.read(GuardDutyTable.NAME)
          .join(ent.filter(col("kind").equalTo("finding")), col("id").equalTo(col("value")))));
    }
    if (incidents.isEmpty()) {
      return lake.spark().createDataFrame(List.of(), IncidentTables.TIMELINE_SCHEMA);
    }
    if (lake.exists(CloudTrailTable.NAME)) {
      Dataset<Row> ct = lake.read(CloudTrailTable.NAME)
          .filter(col(CloudTrailTable.PARTITION_COLUMN).isin(days));
      Column inWindow = col("eventTime").between(col("t_from"), col("t_to"));
      Column scoped = col("scope_account").isNull().or(col("scope_account").equalTo(col("account_id")));
      Dataset<Row> byIp = ct.join(ent.filter(col("kind").equalTo("ip")),
          col("source_ip").equalTo(col("value")).and(scoped).and(inWindow));
      // a session's events from other addresses are its owner's, not the actor's (stolen session
      // credentials are used beside the owner's own work); calls AWS services made for the session
      // carry a service name instead of an address and stay
      Column actorsUse = size(col("addresses")).equalTo(0).or(array_contains(col("addresses"), col("source_ip")))
          .or(not(col("source_ip").rlike("^[0-9.]+$|:")));
      Dataset<Row> byKey = ct.join(ent.filter(col("kind").equalTo("key")),
          col("access_key_id").equalTo(col("value")).and(inWindow).and(actorsUse));
      // the events an incident's alerts list, wherever they fall
      Column[] keep = columns(CloudTrailTable.SCHEMA.fieldNames(), "incident_id");
      Dataset<Row> events = byIp.select(keep).unionByName(byKey.select(keep));
      if (lake.exists(AlertsTable.NAME)) {
        // an alert on a principal may list events from several addresses: those from addresses
        // outside the incident are other actors' (they reach their own incidents through their seeds)
        Dataset<Row> listed = lake.read(AlertsTable.NAME).join(ent.filter(col("kind").equalTo("alert")),
            col("alert_id").equalTo(col("value"))).select(col("incident_id").alias("listed_incident"),
            explode(col("event_ids")).alias("listed_event"), col("addresses"));
        events = events.unionByName(ct.join(broadcast(listed), col("eventID").equalTo(col("listed_event")))
            .filter(actorsUse).withColumnRenamed("listed_incident", "incident_id").select(keep));
      }
      parts.add(Timeline.cloudtrail(events).dropDuplicates("incident_id", "ref"));
    }
    if (lake.exists(VpcFlowTable.NAME)) {
      Dataset<Row> fl = lake.read(VpcFlowTable.NAME)
          .filter(col(VpcFlowTable.PARTITION_COLUMN).isin(days));
      Column inWindow = col("start_time").between(col("t_from"), col("t_to"));
      Column scoped = col("scope_account").isNull().or(col("scope_account").equalTo(col("log_account_id")));
      Dataset<Row> ips = ent.filter(col("kind").equalTo("ip"));
      Dataset<Row> src = fl.join(ips, col("srcaddr").equalTo(col("value")).and(scoped).and(inWindow));
      Dataset<Row> dst = fl.join(ips, col("dstaddr").equalTo(col("value")).and(scoped).and(inWindow));
      // the network interfaces of the instances the incident's actor launched: what they sent and
      // received, whatever the peer
      Dataset<Row> onEni = fl.join(ent.filter(col("kind").equalTo("eni")),
          col("interface_id").equalTo(col("value")).and(inWindow));
      Column[] keep = columns(VpcFlowTable.SCHEMA.fieldNames(), "incident_id");
      parts.add(Timeline.flows(src.select(keep).unionByName(dst.select(keep)).unionByName(onEni.select(keep))
          .dropDuplicates("incident_id", VpcFlowTable.HASH_COLUMN)));
    }
    Dataset<Row> all = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      all = all.unionByName(parts.get(i));
    }
    return all;
  }

  /**
   * Per incident, the network interfaces of the instances its actor launched: the
   * {@code RunInstances} facts of {@code entity_interfaces} inside the incident's span whose call
   * came from one of its addresses or with one of its temporary keys. What such an instance sends
   * and receives is the actor's; an instance the actor only touched (probed, stole credentials
   * from) keeps its own traffic out, as a session's owner does. Cost: two filtered reads, collected.
   */
  static Map<String, Set<String>> launchedInterfaces(Lake lake, List<IncidentGraph.Incident> incidents,
      Map<String, SeedFacts> facts, Duration window) {
    Map<String, Set<String>> out = new HashMap<>();
    if (incidents.isEmpty() || !lake.exists(EntityTables.INTERFACES) || !lake.exists(CloudTrailTable.NAME)) {
      return out;
    }
    Instant first = null;
    Instant last = null;
    for (IncidentGraph.Incident inc : incidents) {
      Span span = span(inc, window);
      first = first == null || span.from().isBefore(first) ? span.from() : first;
      last = last == null || span.to().isAfter(last) ? span.to() : last;
    }
    List<Row> launches = lake.read(EntityTables.INTERFACES)
        .filter(col("evidence").equalTo("RunInstances").and(col("interface_id").isNotNull())
            .and(col("first_seen").between(lit(Timestamp.from(first)), lit(Timestamp.from(last)))))
        .select("event_id", "interface_id", "first_seen").collectAsList();
    if (launches.isEmpty()) {
      return out;
    }
    Set<String> ids = new TreeSet<>();
    launches.forEach(r -> ids.add(r.getString(0)));
    Map<String, Row> calls = new HashMap<>();
    for (Row r : lake.read(CloudTrailTable.NAME)
        .filter(col(CloudTrailTable.PARTITION_COLUMN).isin(spanDays(incidents, window).toArray())
            .and(col("eventID").isin(ids.toArray())))
        .select("eventID", "source_ip", "access_key_id").collectAsList()) {
      calls.put(r.getString(0), r);
    }
    for (IncidentGraph.Incident inc : incidents) {
      Span span = span(inc, window);
      List<String> addresses = addresses(inc, facts);
      Set<String> keys = new TreeSet<>();
      for (IncidentGraph.Seed s : inc.seeds()) {
        facts.get(s.id()).links().stream().filter(l -> l.kind() == Link.Kind.KEY).forEach(l -> keys.add(l.value()));
      }
      for (Row l : launches) {
        Row call = calls.get(l.getString(0));
        Instant at = l.getTimestamp(2).toInstant();
        if (call != null && !at.isBefore(span.from()) && !at.isAfter(span.to())
            && (addresses.contains(call.getString(1)) || keys.contains(call.getString(2)))) {
          out.computeIfAbsent(inc.id(), k -> new TreeSet<>()).add(l.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * The UTC days the incidents' spans cover: the partitions a timeline reads (a rebuilt incident
   * of last year and one of last night read those two stretches, not the year between).
   */
  static Set<Date> spanDays(List<IncidentGraph.Incident> incidents, Duration window) {
    Set<Date> out = new TreeSet<>();
    for (IncidentGraph.Incident inc : incidents) {
      Span span = span(inc, window);
      for (LocalDate d = SeedFacts.day(span.from()).toLocalDate(); !d.isAfter(SeedFacts.day(span.to()).toLocalDate());
          d = d.plusDays(1)) {
        out.add(Date.valueOf(d));
      }
    }
    return out;
  }

  /** The time an incident's timeline covers. */
  record Span(Instant from, Instant to) {}

  /** An incident's span: its first seed's start minus the window to its last end plus the window. */
  static Span span(IncidentGraph.Incident inc, Duration window) {
    Instant to = inc.seeds().get(0).end();
    for (IncidentGraph.Seed s : inc.seeds()) {
      to = s.end().isAfter(to) ? s.end() : to;
    }
    return new Span(inc.seeds().get(0).start().minus(window), to.plus(window));
  }

  /** The incident's followed addresses (without their account scope), sorted. */
  static List<String> addresses(IncidentGraph.Incident inc, Map<String, SeedFacts> facts) {
    Set<String> out = new TreeSet<>();
    for (IncidentGraph.Seed s : inc.seeds()) {
      for (Link l : facts.get(s.id()).links()) {
        if (l.kind() == Link.Kind.ADDRESS) {
          out.add(l.value());
        }
      }
    }
    return List.copyOf(out);
  }

  static Column[] columns(String[] names, String extra) {
    String[] all = Arrays.copyOf(names, names.length + 1);
    all[names.length] = extra;
    return Arrays.stream(all).map(n -> col("`" + n + "`")).toArray(Column[]::new);
  }
}
