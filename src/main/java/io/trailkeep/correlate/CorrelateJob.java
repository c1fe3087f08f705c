package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.trailkeep.conf.ConfKey;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.MaintenanceState;
import io.trailkeep.lake.SourceVersions;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.EntityTables;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.IncidentTables;
import io.trailkeep.schema.Source;
import io.trailkeep.schema.VpcFlowTable;
import java.sql.Date;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code correlate} action: groups every alert and GuardDuty finding of the lake into
 * incidents ({@link IncidentGraph}) and writes {@code incidents} and {@code incident_timeline}.
 *
 * <p>Seeds link through the entities that single out an actor: source addresses (a private
 * address only within its account, and on the network interface that held it then when
 * {@code entity_interfaces} knows: {@link Seeds#withInterfaces}) and temporary (ASIA) access keys as used from an address
 * ({@link Seeds#addKey}: the thief of a session and its owner use one key from two addresses), each
 * key together with the sessions chained to it in {@code entity_sessions} (the session that
 * assumed it and those it assumed, one hop each way).
 * Long-term keys and principals do not link: a leaked key is used by its owner and the attacker
 * alike, and only the attacker's addresses tell them apart. Instances and resources do not link
 * either: two attacks on one instance are two incidents, and a bucket is shared by everyone who
 * uses it. An address used by
 * more than {@code correlate.max-fanout} principals on a day is not followed for the seeds that
 * start on that day; a chain longer than {@code correlate.max-span-hours} is split at its widest
 * gap ({@link IncidentGraph#split}).
 *
 * <p>An incident's timeline holds its alerts and findings; between its first seed minus the
 * window and its last seed plus the window, every CloudTrail event from its addresses and those
 * of its temporary keys made from its addresses (or by an AWS service for the session); the
 * events its alerts list, with the same address rule; and the flow records to or from its
 * addresses and on the network interfaces of the instances its actor launched
 * ({@code entity_interfaces}), summarized per 5-minute bucket.
 *
 * <p>Every run groups all seeds into incidents; ids come from each incident's earliest seed, so
 * new evidence extends an incident and a rerun yields identical tables. Timelines and rows are
 * rebuilt only for the incidents whose seeds changed ({@code seed_fingerprint}) or whose span
 * holds a day of cloudtrail, vpc_flow or entity_interfaces that changed since the versions in
 * {@code correlate_state}; of those, only the ones whose row or timeline differs are rewritten
 * (one replacing commit per table); every other incident keeps its rows. An incident's times
 * are those of the evidence its timeline holds.
 *
 * <p>The steps live in classes of their own: {@link Seeds} (seeds and their links),
 * {@link FanOut} (links not followed), {@link IncidentGraph} (grouping), {@link IncidentTimeline}
 * (timelines), {@link IncidentRows} (rows and summaries), {@link IncidentWriter} (writing only
 * what changed). Cost: the seeds are collected to the driver (a few columns per alert and
 * finding); one aggregation over the seeds' days of CloudTrail's address and principal columns;
 * one pass over the incidents' days of cloudtrail and vpc_flow joined to the (broadcast)
 * incident entities. First it brings the entity tables up to date ({@link EntityResolution}).
 * Side effects: incidents, incident_timeline (the changed incidents' rows replaced), entity_sessions,
 * entity_interfaces, entity_identities, entity_state and correlate_state, run_history.
 */
public final class CorrelateJob extends JobAction<CorrelateJob, CorrelateJob.Result> {
  private CorrelateJob(Lake lake) {
    super("correlate", lake);
  }

  public static CorrelateJob on(Lake lake) {
    return new CorrelateJob(lake);
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of(ConfKey.CORRELATE_WINDOW_MINUTES, ConfKey.CORRELATE_MAX_FANOUT,
        ConfKey.CORRELATE_MIN_SEVERITY, ConfKey.CORRELATE_MAX_SPAN_HOURS);
  }

  /** What a run did. {@code unchanged}: the tables already held exactly this result. */
  public record Result(String runId, long alertSeeds, long findingSeeds, List<String> linksNotFollowed,
      long incidents, long incidentsRebuilt, long incidentsNew, long incidentsChanged,
      Map<String, Long> incidentsBySeverity,
      long timelineRows, boolean unchanged, long sessionsAdded, long interfaceFacts, long identityRows,
      double seconds) implements JobResult {
    @Override
    public String job() {
      return "correlate";
    }
  }

  @Override
  protected List<String> requiredTables() {
    return List.of(AlertsTable.NAME, GuardDutyTable.NAME);
  }

  @Override
  protected String requiredFix() {
    return "run 'trailkeep detect' (and ingest GuardDuty) first";
  }

  @Override
  protected Result run(Run run) {
    Lake lake = lake();
    boolean hasAlerts = lake.exists(AlertsTable.NAME);
    boolean hasFindings = lake.exists(GuardDutyTable.NAME);
    EntityResolution.Outcome sessions = EntityResolution.update(lake, run.runId());
    run.progress().info("correlate: entity tables updated from %d changed cloudtrail and %d vpc_flow days: "
        + "%d sessions added, %d interface facts and %d identity rows recomputed", sessions.cloudtrailDays(),
        sessions.flowDays(), sessions.sessionsAdded(), sessions.interfaceFacts(), sessions.identityRows());
    // the versions of the tables timelines read, taken before reading them (recorded at the end)
    Map<String, Long> versions = new LinkedHashMap<>();
    for (String t : List.of(CloudTrailTable.NAME, VpcFlowTable.NAME, EntityTables.INTERFACES)) {
      if (lake.exists(t)) {
        versions.put(t, MaintenanceState.currentVersion(lake, t));
      }
    }
    List<SeedFacts> seeds = new ArrayList<>();
    if (hasAlerts) {
      seeds.addAll(Seeds.alertSeeds(lake.read(AlertsTable.NAME)));
    }
    long alertSeeds = seeds.size();
    if (hasFindings) {
      seeds.addAll(Seeds.findingSeeds(lake.read(GuardDutyTable.NAME)));
    }
    seeds = Seeds.withSessionChains(lake, seeds, get(ConfKey.CORRELATE_MAX_FANOUT));
    seeds = Seeds.withInterfaces(lake, seeds);
    run.progress().info("correlate: %d alerts and %d GuardDuty findings as seeds", alertSeeds,
        seeds.size() - alertSeeds);
    Duration window = Duration.ofMinutes(get(ConfKey.CORRELATE_WINDOW_MINUTES));
    Map<Link, Set<String>> commonDays = FanOut.commonLinks(lake, seeds, get(ConfKey.CORRELATE_MAX_FANOUT));
    // the seeds no longer hold the links not followed on their day; nothing else is left out
    seeds = FanOut.withoutCommon(seeds, commonDays);
    List<String> notFollowed = new ArrayList<>();
    commonDays.forEach((link, days) -> days.forEach(d -> notFollowed.add(link.id() + " on " + d)));
    List<IncidentGraph.Incident> incidents = IncidentGraph.incidents(
        seeds.stream().map(SeedFacts::seed).toList(), window, Set.of(), get(ConfKey.CORRELATE_MIN_SEVERITY),
        Duration.ofHours(get(ConfKey.CORRELATE_MAX_SPAN_HOURS)));
    run.progress().info("correlate: %d incidents (%d addresses not followed on some day: fan-out above %d)",
        incidents.size(), commonDays.size(), get(ConfKey.CORRELATE_MAX_FANOUT));
    Map<String, SeedFacts> facts = new HashMap<>();
    for (SeedFacts f : seeds) {
      facts.put(f.seed().id(), f);
    }
    // most severe first, as an analyst reads them
    Map<String, Long> bySeverity = new TreeMap<>(java.util.Comparator.comparingInt(
        (String s) -> -io.trailkeep.conf.Severity.rank(s)).thenComparing(java.util.Comparator.naturalOrder()));
    Map<String, String> fingerprints = new HashMap<>();
    for (IncidentGraph.Incident inc : incidents) {
      fingerprints.put(inc.id(), IncidentRows.seedFingerprint(inc, facts, window));
      bySeverity.merge(inc.severity(), 1L, Long::sum);
    }
    // which incidents to rebuild: those whose seeds changed, and those whose span holds a day of
    // the sources changed since the last run; every incident when the tables are new or older
    Map<String, String> stored = storedFingerprints(lake);
    Optional<Set<Date>> dirty = changedDays(lake, versions);
    boolean complete = stored == null || dirty.isEmpty();
    List<IncidentGraph.Incident> rebuilt = new ArrayList<>();
    for (IncidentGraph.Incident inc : incidents) {
      if (complete || !fingerprints.get(inc.id()).equals(stored.get(inc.id()))
          || !Collections.disjoint(IncidentTimeline.spanDays(List.of(inc), window), dirty.get())) {
        rebuilt.add(inc);
      }
    }
    Set<String> gone = new TreeSet<>(stored == null ? Set.of() : stored.keySet());
    gone.removeAll(fingerprints.keySet());
    run.progress().info("correlate: %d of %d incidents to rebuild%s", rebuilt.size(), incidents.size(),
        complete ? " (all: first run, or tables of an older TrailKeep)" : ", " + gone.size() + " gone");
    Dataset<Row> timeline = IncidentTimeline.timeline(lake, rebuilt, facts, window);
    timeline = timeline.localCheckpoint();
    if (!complete && !IncidentWriter.sameSchema(lake, IncidentTables.TIMELINE, timeline.schema())) {
      // a timeline of another shape (an older TrailKeep): every incident is rebuilt
      complete = true;
      rebuilt = incidents;
      timeline = IncidentTimeline.timeline(lake, rebuilt, facts, window).localCheckpoint();
    }
    Map<String, Row> counts = new HashMap<>();
    for (Row r : timeline.groupBy("incident_id").agg(
        sum(when(col("source").equalTo(Source.CLOUDTRAIL.label()), 1L).otherwise(0L)).alias("events"),
        sum(when(col("source").equalTo(Source.VPCFLOW.label()), col("count")).otherwise(0L)).alias("flows"),
        // the times of the evidence (events, flows, findings), not of the alerts about it: an
        // alert's window may include events of other actors that the timeline leaves out
        min(when(col("source").notEqual(Timeline.ALERT_SOURCE), col("time"))).alias("first"),
        max(when(col("source").notEqual(Timeline.ALERT_SOURCE), col("time"))).alias("last")).collectAsList()) {
      counts.put(r.getString(0), r);
    }
    List<Row> rows = new ArrayList<>();
    for (IncidentGraph.Incident inc : rebuilt) {
      rows.add(IncidentRows.incidentRow(inc, facts, counts.get(inc.id()), fingerprints.get(inc.id())));
    }
    Dataset<Row> incidentRows = lake.spark().createDataFrame(rows, IncidentTables.INCIDENTS_SCHEMA);
    // the stored rows of the rebuilt incidents (all of them when complete), to compare with
    Dataset<Row> ids = lake.spark().createDataFrame(rebuilt.stream().map(i -> RowFactory.create(i.id())).toList(),
        new StructType().add("incident_id", DataTypes.StringType, false));
    Map<String, Long> before = lake.exists(IncidentTables.INCIDENTS)
        ? IncidentWriter.fingerprints(stored(lake, IncidentTables.INCIDENTS, ids, complete), "incident_id") : Map.of();
    Map<String, Long> after = IncidentWriter.fingerprints(incidentRows, "incident_id");
    long created = after.keySet().stream().filter(id -> stored == null || !stored.containsKey(id)).count();
    long changed = after.entrySet().stream()
        .filter(e -> before.containsKey(e.getKey()) && !before.get(e.getKey()).equals(e.getValue())).count();
    // the incidents whose row or timeline differs from the stored one (new, changed or gone)
    Map<String, List<Long>> timelineBefore = lake.exists(IncidentTables.TIMELINE)
        ? IncidentWriter.timelineFingerprints(stored(lake, IncidentTables.TIMELINE, ids, complete)) : Map.of();
    Map<String, List<Long>> timelineAfter = IncidentWriter.timelineFingerprints(timeline);
    Set<String> touched = new TreeSet<>(gone);
    IncidentWriter.differing(before, after, touched);
    IncidentWriter.differing(timelineBefore, timelineAfter, touched);
    boolean unchanged = touched.isEmpty() && lake.exists(IncidentTables.INCIDENTS)
        && lake.exists(IncidentTables.TIMELINE);
    if (unchanged) {
      run.progress().info("correlate: incidents unchanged since the last run; nothing written");
    } else {
      // the timeline first: a stored seed_fingerprint says its incident's timeline is written
      // (a crash between the two commits leaves the old fingerprint, and the rerun rebuilds it)
      IncidentWriter.write(lake, IncidentTables.TIMELINE, timeline, touched, complete);
      IncidentWriter.write(lake, IncidentTables.INCIDENTS, incidentRows, touched, complete);
    }
    SourceVersions.record(lake, IncidentTables.STATE, versions, run.runId());
    long timelineRows = lake.read(IncidentTables.TIMELINE).count();
    if (!unchanged) {
      run.progress().info("correlate: %d incidents (%d new, %d extended), %d incidents rewritten, %d timeline rows",
          incidents.size(), created, changed, touched.size(), timelineRows);
    }
    return new Result(run.runId(), alertSeeds, seeds.size() - alertSeeds, List.copyOf(notFollowed),
        incidents.size(), rebuilt.size(), created, changed, bySeverity, timelineRows, unchanged,
        sessions.sessionsAdded(),
        sessions.interfaceFacts(), sessions.identityRows(), run.seconds());
  }

  /**
   * Per stored incident, its seed fingerprint; null when the tables do not exist yet or have
   * another shape (an older TrailKeep), so that every incident is rebuilt. Cost: one two-column
   * read of incidents, collected.
   */
  private static Map<String, String> storedFingerprints(Lake lake) {
    if (!IncidentWriter.sameSchema(lake, IncidentTables.INCIDENTS, IncidentTables.INCIDENTS_SCHEMA)
        || !lake.exists(IncidentTables.TIMELINE)) {
      return null;
    }
    Map<String, String> out = new HashMap<>();
    for (Row r : lake.read(IncidentTables.INCIDENTS).select("incident_id", "seed_fingerprint").collectAsList()) {
      out.put(r.getString(0), r.getString(1));
    }
    return out;
  }

  /**
   * The days of the tables timelines read (cloudtrail, vpc_flow, entity_interfaces) that received
   * or lost rows (retention) since the versions the last run recorded in correlate_state; empty
   * when a table has no recorded version (a first run: everything is new).
   */
  private static Optional<Set<Date>> changedDays(Lake lake, Map<String, Long> versions) {
    Set<Date> out = new TreeSet<>();
    for (String t : versions.keySet()) {
      Optional<Long> since = SourceVersions.last(lake, IncidentTables.STATE, t);
      if (since.isEmpty()) {
        return Optional.empty();
      }
      // only yyyy-MM-dd values: MaintenanceState leaves out anything else
      MaintenanceState.dataChangedPartitions(lake, t, since, true).forEach(d -> out.add(Date.valueOf(d)));
    }
    return Optional.of(out);
  }

  /** The stored rows of {@code table}: all when complete, else those of the incidents in {@code ids}. */
  private static Dataset<Row> stored(Lake lake, String table, Dataset<Row> ids, boolean complete) {
    Dataset<Row> rows = lake.read(table);
    return complete ? rows : rows.join(broadcast(ids), "incident_id");
  }
}
