package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.trailkeep.schema.Source;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code correlate} action: groups every alert and GuardDuty finding of the lake into
 * incidents ({@link IncidentGraph}) and writes {@code incidents} and {@code incident_timeline}.
 *
 * <p>Seeds link through the entities that single out an actor: source addresses (a private
 * address only within its account, and on the network interface that held it then when
 * {@code entity_interfaces} knows: {@link #withInterfaces}) and temporary (ASIA) access keys as used from an address
 * ({@link #addKey}: the thief of a session and its owner use one key from two addresses), each
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
 * <p>Every run recomputes all incidents from all seeds; ids come from each incident's earliest
 * seed, so new evidence extends an incident and a rerun yields identical tables. Only the
 * incidents whose row or timeline changed are rewritten (one replacing commit per table); the
 * others keep their rows. An incident's times are those of the evidence its timeline holds. Cost: the seeds are collected to the driver (a few columns per alert and
 * finding); one aggregation over the seeds' days of CloudTrail's address and principal columns;
 * one pass over the incidents' days of cloudtrail and vpc_flow joined to the (broadcast)
 * incident entities. First it brings the entity tables up to date ({@link EntityResolution}).
 * Side effects: incidents, incident_timeline (the changed incidents' rows replaced), entity_sessions,
 * entity_interfaces, entity_identities and entity_state, run_history.
 */
public final class CorrelateJob extends JobAction<CorrelateJob, CorrelateJob.Result> {
  private static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,17}");

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
      long incidents, long incidentsNew, long incidentsChanged, Map<String, Long> incidentsBySeverity,
      long timelineRows, boolean unchanged, long sessionsAdded, long interfaceFacts, long identityRows,
      double seconds) implements JobResult {
    @Override
    public String job() {
      return "correlate";
    }
  }

  /**
   * A seed, the entities it links by, and the facts its incident's summary and entity lists are
   * built from. The graph's seed holds the links' ids.
   */
  private record SeedFacts(IncidentGraph.Seed seed, Set<Link> links, String kind, String ref, String account,
      String region, String principal, String key, String ip, String instance, String rule, String title) {
    SeedFacts(String seedId, Instant start, Instant end, String severity, Set<Link> links, String kind,
        String ref, String account, String region, String principal, String key, String ip, String instance,
        String rule, String title) {
      this(new IncidentGraph.Seed(seedId, start, end, severity, ids(links)), Set.copyOf(links), kind, ref,
          account, region, principal, key, ip, instance, rule, title);
    }

    /** The same seed linking by {@code other} instead. */
    SeedFacts withLinks(Set<Link> other) {
      return new SeedFacts(seed.id(), seed.start(), seed.end(), seed.severity(), other, kind, ref, account,
          region, principal, key, ip, instance, rule, title);
    }

    private static Set<String> ids(Set<Link> links) {
      Set<String> out = new TreeSet<>();
      links.forEach(l -> out.add(l.id()));
      return out;
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
    List<SeedFacts> seeds = new ArrayList<>();
    if (hasAlerts) {
      seeds.addAll(alertSeeds(lake.read(AlertsTable.NAME)));
    }
    long alertSeeds = seeds.size();
    if (hasFindings) {
      seeds.addAll(findingSeeds(lake.read(GuardDutyTable.NAME)));
    }
    seeds = withSessionChains(lake, seeds, get(ConfKey.CORRELATE_MAX_FANOUT));
    seeds = withInterfaces(lake, seeds);
    run.progress().info("correlate: %d alerts and %d GuardDuty findings as seeds", alertSeeds,
        seeds.size() - alertSeeds);
    Duration window = Duration.ofMinutes(get(ConfKey.CORRELATE_WINDOW_MINUTES));
    Map<Link, Set<String>> commonDays = commonLinks(lake, seeds, get(ConfKey.CORRELATE_MAX_FANOUT));
    // the seeds no longer hold the links not followed on their day; nothing else is left out
    seeds = withoutCommon(seeds, commonDays);
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
    Dataset<Row> timeline = timeline(lake, incidents, facts, window);
    timeline = timeline.localCheckpoint();
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
    // most severe first, as an analyst reads them
    Map<String, Long> bySeverity = new TreeMap<>(java.util.Comparator.comparingInt(
        (String s) -> -io.trailkeep.conf.Severity.rank(s)).thenComparing(java.util.Comparator.naturalOrder()));
    for (IncidentGraph.Incident inc : incidents) {
      rows.add(incidentRow(inc, facts, counts.get(inc.id())));
      bySeverity.merge(inc.severity(), 1L, Long::sum);
    }
    Dataset<Row> incidentRows = lake.spark().createDataFrame(rows, IncidentTables.INCIDENTS_SCHEMA);
    long timelineRows = timeline.count();
    Map<String, Long> before = fingerprints(lake, IncidentTables.INCIDENTS, "incident_id");
    Map<String, Long> after = fingerprints(incidentRows, "incident_id");
    long created = after.keySet().stream().filter(id -> !before.containsKey(id)).count();
    long changed = after.entrySet().stream()
        .filter(e -> before.containsKey(e.getKey()) && !before.get(e.getKey()).equals(e.getValue())).count();
    // the incidents whose row or timeline differs from the stored one (new, changed or gone)
    Map<String, List<Long>> timelineBefore = lake.exists(IncidentTables.TIMELINE)
        ? timelineFingerprints(lake.read(IncidentTables.TIMELINE)) : Map.of();
    Map<String, List<Long>> timelineAfter = timelineFingerprints(timeline);
    Set<String> touched = new TreeSet<>();
    differing(before, after, touched);
    differing(timelineBefore, timelineAfter, touched);
    boolean unchanged = touched.isEmpty() && lake.exists(IncidentTables.INCIDENTS)
        && lake.exists(IncidentTables.TIMELINE);
    if (unchanged) {
      run.progress().info("correlate: incidents unchanged since the last run; nothing written");
    } else {
      write(lake, IncidentTables.INCIDENTS, incidentRows, touched);
      write(lake, IncidentTables.TIMELINE, timeline, touched);
      run.progress().info("correlate: %d incidents (%d new, %d extended), %d incidents rewritten, %d timeline rows",
          incidents.size(), created, changed, touched.size(), timelineRows);
    }
    return new Result(run.runId(), alertSeeds, seeds.size() - alertSeeds, List.copyOf(notFollowed),
        incidents.size(), created, changed, bySeverity, timelineRows, unchanged, sessions.sessionsAdded(),
        sessions.interfaceFacts(), sessions.identityRows(), run.seconds());
  }

  private static List<SeedFacts> alertSeeds(Dataset<Row> alerts) {
    List<SeedFacts> out = new ArrayList<>();
    for (Row r : alerts.select("alert_id", "window_start", "window_end", "severity", "account_id", "region",
        "principal", "access_key_id", "source_ip", "resource", "rule_id", "title").collectAsList()) {
      String account = r.getString(4);
      String resource = r.getString(9);
      String instance = resource != null && INSTANCE.matcher(resource).matches() ? resource : null;
      Set<Link> links = new TreeSet<>();
      addIp(links, r.getString(8), account);
      addKey(links, r.getString(7), r.getString(8) == null ? List.of() : List.of(r.getString(8)));
      out.add(new SeedFacts("alert:" + r.getString(0), r.getTimestamp(1).toInstant(),
          r.getTimestamp(2).toInstant(), r.getString(3), links, "alert", r.getString(0), account, r.getString(5),
          r.getString(6), r.getString(7), r.getString(8), instance, r.getString(10), r.getString(11)));
    }
    return out;
  }

  private static List<SeedFacts> findingSeeds(Dataset<Row> findings) {
    List<SeedFacts> out = new ArrayList<>();
    Column live = col("archived").isNull().or(col("archived").equalTo(false))
        .and(col("sample").isNull().or(col("sample").equalTo(false)));
    for (Row r : findings.filter(live).select(col("id"),
        org.apache.spark.sql.functions.coalesce(col("first_seen"), col("createdAt")),
        // the activity's last sight, never updatedAt (which moves with every update of the finding)
        org.apache.spark.sql.functions.coalesce(col("last_seen"), col("first_seen"), col("createdAt")),
        col("severity_band"),
        col("accountId"), col("region"), col("principal_arn"), col("access_key_id"), col("remote_ips"),
        col("instance_id"), col("type"), col("title")).collectAsList()) {
      String account = r.getString(4);
      Set<Link> links = new TreeSet<>();
      List<String> remote = r.isNullAt(8) ? List.of() : r.getList(8);
      for (String ip : remote) {
        addIp(links, ip, account);
      }
      addKey(links, r.getString(7), remote);
      String instance = r.getString(9);
      Instant start = r.getTimestamp(1).toInstant();
      Instant end = r.isNullAt(2) ? start : r.getTimestamp(2).toInstant();
      out.add(new SeedFacts("finding:" + r.getString(0), start, end.isBefore(start) ? start : end,
          r.getString(3), links, "finding", r.getString(0), account, r.getString(5), r.getString(6),
          r.getString(7), remote.isEmpty() ? null : remote.get(0), instance, r.getString(10), r.getString(11)));
    }
    return out;
  }

  /**
   * The seeds with their temporary keys' session chains added as links (the session that assumed
   * theirs and the sessions theirs assumed, {@link SessionResolution#chainedKeys}): credentials
   * that assumed a role and the role session they obtained belong to one actor.
   */
  private static List<SeedFacts> withSessionChains(Lake lake, List<SeedFacts> seeds, long maxFanout) {
    Set<String> keys = new TreeSet<>();
    for (SeedFacts f : seeds) {
      for (Link l : f.links()) {
        if (l.kind() == Link.Kind.KEY) {
          keys.add(l.value());
        }
      }
    }
    Map<String, Set<String>> chained = SessionResolution.chainedKeys(lake, keys, maxFanout);
    if (chained.isEmpty()) {
      return seeds;
    }
    List<SeedFacts> out = new ArrayList<>();
    for (SeedFacts f : seeds) {
      Set<Link> links = new TreeSet<>(f.links());
      for (Link l : f.links()) {
        if (l.kind() == Link.Kind.KEY) {
          List<String> from = l.via() == null ? List.of() : List.of(l.via());
          chained.getOrDefault(l.value(), Set.of()).forEach(k -> addKey(links, k, from));
        }
      }
      out.add(f.withLinks(links));
    }
    return out;
  }

  /**
   * The seeds with each private address refined by the network interface it was on at the seed's
   * start ({@code ip:10.0.1.5@<account>#eni-...}, from {@code entity_interfaces}: the latest fact
   * about the address up to then, or its interface in that day's flow records): an address that a
   * new interface reuses later is another entity. Addresses the table knows nothing about stay
   * scoped by account.
   */
  private static List<SeedFacts> withInterfaces(Lake lake, List<SeedFacts> seeds) {
    Set<String> ips = new TreeSet<>();
    for (SeedFacts f : seeds) {
      for (Link l : f.links()) {
        if (l.scoped()) {
          ips.add(l.value());
        }
      }
    }
    if (ips.isEmpty() || !lake.exists(EntityTables.INTERFACES)) {
      return seeds;
    }
    Map<String, List<Row>> facts = new HashMap<>();
    for (Row r : lake.read(EntityTables.INTERFACES)
        .filter(col("private_ip").isin(ips.toArray()).and(col("interface_id").isNotNull()))
        .select("account_id", "private_ip", "interface_id", "first_seen", "evidence", "event_date")
        .orderBy("first_seen").collectAsList()) {
      facts.computeIfAbsent(r.getString(1) + "@" + r.getString(0), k -> new ArrayList<>()).add(r);
    }
    List<SeedFacts> out = new ArrayList<>();
    for (SeedFacts f : seeds) {
      Set<Link> links = new TreeSet<>();
      for (Link l : f.links()) {
        String eni = l.scoped() ? interfaceAt(facts.get(l.value() + "@" + l.account()), f.seed().start()) : null;
        links.add(eni == null ? l : l.on(eni));
      }
      out.add(f.withLinks(links));
    }
    return out;
  }

  /** The interface of the latest fact up to {@code t}, else of a flow day holding {@code t}; null if none. */
  private static String interfaceAt(List<Row> facts, Instant t) {
    if (facts == null) {
      return null;
    }
    String found = null;
    for (Row r : facts) {
      if (!r.getTimestamp(3).toInstant().isAfter(t)) {
        found = r.getString(2);
      }
    }
    if (found == null) {
      java.time.LocalDate day = t.atZone(ZoneOffset.UTC).toLocalDate();
      for (Row r : facts) {
        if (Source.VPCFLOW.label().equals(r.getString(4)) && r.getDate(5).toLocalDate().equals(day)) {
          return r.getString(2);
        }
      }
    }
    return found;
  }

  /** An address links ({@link Link#address}): public ones anywhere, private ones within their account. */
  static void addIp(Set<Link> links, String ip, String account) {
    Link l = Link.address(ip, account);
    if (l != null) {
      links.add(l);
    }
  }

  /**
   * Temporary keys (one session) link, as used from each of the seed's addresses
   * ({@code key:ASIA...|203.0.113.7}): stolen session credentials are used by the thief beside the
   * owner's own work, so seeds on one session from different addresses are different actors. A
   * seed without an address links by the bare key ({@code key:ASIA...}), to seeds without one.
   * Long-term keys are shared by their owner and any thief and never link.
   */
  static void addKey(Set<Link> links, String key, List<String> addresses) {
    if (key == null || !key.startsWith("ASIA")) {
      return;
    }
    boolean any = false;
    for (String a : addresses) {
      if (Link.isAddress(a)) {
        links.add(Link.key(key, a));
        any = true;
      }
    }
    if (!any) {
      links.add(Link.key(key, null));
    }
  }

  /**
   * Per address link, the UTC days on which its address was used by more than {@code maxFanout}
   * principals (a NAT, a proxy). Counted per day, so what a later day brings never changes
   * whether an earlier day's seeds link. Cost: one aggregation of the seeds' days of CloudTrail's
   * address and principal columns, filtered to the seeds' addresses.
   */
  private static Map<Link, Set<String>> commonLinks(Lake lake, List<SeedFacts> seeds, long maxFanout) {
    Map<String, List<Link>> linksByIp = new TreeMap<>();
    Instant first = null;
    Instant last = null;
    for (SeedFacts f : seeds) {
      for (Link l : f.links()) {
        if (l.kind() == Link.Kind.ADDRESS) {
          linksByIp.computeIfAbsent(l.value(), k -> new ArrayList<>()).add(l);
          first = first == null || f.seed().start().isBefore(first) ? f.seed().start() : first;
          last = last == null || f.seed().end().isAfter(last) ? f.seed().end() : last;
        }
      }
    }
    Map<Link, Set<String>> out = new TreeMap<>();
    if (linksByIp.isEmpty() || !lake.exists(CloudTrailTable.NAME)) {
      return out;
    }
    // per day, the partners of each address link; the graph's bound decides which are common
    Map<String, Map<String, Long>> partnersByDay = new TreeMap<>();
    Map<String, Link> byId = new HashMap<>();
    for (Row r : lake.read(CloudTrailTable.NAME)
        .filter(col(CloudTrailTable.PARTITION_COLUMN).between(lit(day(first)), lit(day(last)))
            .and(col("source_ip").isin(linksByIp.keySet().toArray())))
        .groupBy("source_ip", CloudTrailTable.PARTITION_COLUMN).agg(countDistinct(col("actor_principal")))
        .collectAsList()) {
      for (Link link : linksByIp.get(r.getString(0))) {
        byId.put(link.id(), link);
        partnersByDay.computeIfAbsent(r.getDate(1).toString(), k -> new TreeMap<>()).put(link.id(), r.getLong(2));
      }
    }
    partnersByDay.forEach((d, partners) -> IncidentGraph.common(partners, maxFanout)
        .forEach(id -> out.computeIfAbsent(byId.get(id), k -> new TreeSet<>()).add(d)));
    return out;
  }

  /** The seeds without the address links that are common on the UTC day each seed starts. */
  private static List<SeedFacts> withoutCommon(List<SeedFacts> seeds, Map<Link, Set<String>> commonDays) {
    if (commonDays.isEmpty()) {
      return seeds;
    }
    List<SeedFacts> out = new ArrayList<>();
    for (SeedFacts f : seeds) {
      String d = day(f.seed().start()).toString();
      Set<Link> links = new TreeSet<>();
      for (Link l : f.links()) {
        if (!commonDays.getOrDefault(l, Set.of()).contains(d)) {
          links.add(l);
        }
      }
      out.add(f.withLinks(links));
    }
    return out;
  }

  private static final StructType ENTITY_SCHEMA = DataTypes.createStructType(List.of(
      DataTypes.createStructField("incident_id", DataTypes.StringType, false),
      DataTypes.createStructField("kind", DataTypes.StringType, false),
      DataTypes.createStructField("value", DataTypes.StringType, false),
      DataTypes.createStructField("scope_account", DataTypes.StringType, true),
      DataTypes.createStructField("t_from", DataTypes.TimestampType, false),
      DataTypes.createStructField("t_to", DataTypes.TimestampType, false),
      DataTypes.createStructField("addresses", DataTypes.createArrayType(DataTypes.StringType), false)));

  /** The timeline of every incident (not yet computed: a plan over the source tables). */
  private static Dataset<Row> timeline(Lake lake, List<IncidentGraph.Incident> incidents,
      Map<String, SeedFacts> facts, Duration window) {
    Map<String, Set<String>> launched = launchedInterfaces(lake, incidents, facts, window);
    List<Row> entities = new ArrayList<>();
    Instant first = null;
    Instant last = null;
    for (IncidentGraph.Incident inc : incidents) {
      Span span = span(inc, window);
      Instant from = span.from();
      Instant to = span.to();
      first = first == null || from.isBefore(first) ? from : first;
      last = last == null || to.isAfter(last) ? to : last;
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
          .filter(col(CloudTrailTable.PARTITION_COLUMN).between(lit(day(first)), lit(day(last))));
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
          .filter(col(VpcFlowTable.PARTITION_COLUMN).between(lit(day(first)), lit(day(last))));
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
  private static Map<String, Set<String>> launchedInterfaces(Lake lake, List<IncidentGraph.Incident> incidents,
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
        .filter(col(CloudTrailTable.PARTITION_COLUMN).between(lit(day(first)), lit(day(last)))
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

  /** The time an incident's timeline covers. */
  private record Span(Instant from, Instant to) {}

  /** An incident's span: its first seed's start minus the window to its last end plus the window. */
  private static Span span(IncidentGraph.Incident inc, Duration window) {
    Instant to = inc.seeds().get(0).end();
    for (IncidentGraph.Seed s : inc.seeds()) {
      to = s.end().isAfter(to) ? s.end() : to;
    }
    return new Span(inc.seeds().get(0).start().minus(window), to.plus(window));
  }

  /** The incident's followed addresses (without their account scope), sorted. */
  private static List<String> addresses(IncidentGraph.Incident inc, Map<String, SeedFacts> facts) {
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

  private static Column[] columns(String[] names, String extra) {
    String[] all = Arrays.copyOf(names, names.length + 1);
    all[names.length] = extra;
    return Arrays.stream(all).map(n -> col("`" + n + "`")).toArray(Column[]::new);
  }

  private static Date day(Instant t) {
    return Date.valueOf(t.atZone(ZoneOffset.UTC).toLocalDate());
  }

  /** One incidents row: the seeds' facts, the timeline's counts, a summary built from both. */
  private static Row incidentRow(IncidentGraph.Incident inc, Map<String, SeedFacts> facts, Row counts) {
    Set<String> accounts = new TreeSet<>();
    Set<String> regions = new TreeSet<>();
    Set<String> principals = new TreeSet<>();
    Set<String> keys = new TreeSet<>();
    Set<String> ips = new TreeSet<>();
    Set<String> instances = new TreeSet<>();
    Set<String> rules = new TreeSet<>();
    Set<String> alertIds = new TreeSet<>();
    Set<String> findingIds = new TreeSet<>();
    Map<String, Integer> titles = new LinkedHashMap<>();
    Instant first = inc.seeds().get(0).start();
    Instant last = inc.seeds().get(0).end();
    for (IncidentGraph.Seed s : inc.seeds()) {
      SeedFacts f = facts.get(s.id());
      addNonNull(accounts, f.account());
      addNonNull(regions, f.region());
      addNonNull(principals, f.principal());
      addNonNull(keys, f.key());
      addNonNull(ips, f.ip());
      addNonNull(instances, f.instance());
      if (f.kind().equals("alert")) {
        alertIds.add(f.ref());
        addNonNull(rules, f.rule());
      } else {
        findingIds.add(f.ref());
      }
      if (IncidentGraph.rank(s.severity()) >= IncidentGraph.rank("medium") && f.title() != null) {
        titles.merge(f.title(), 1, Integer::sum);
      }
      last = s.end().isAfter(last) ? s.end() : last;
    }
    long events = counts == null ? 0 : counts.getLong(1);
    long flows = counts == null ? 0 : counts.getLong(2);
    if (counts != null && !counts.isNullAt(3)) {
      // the incident spans the evidence its timeline holds
      first = counts.getTimestamp(3).toInstant();
      last = counts.getTimestamp(4).toInstant();
    }
    String summary = summary(inc, titles, principals, ips, accounts, regions, events, flows, alertIds.size(),
        findingIds.size());
    return RowFactory.create(inc.id(), Timestamp.from(first), Timestamp.from(last), inc.severity(), summary,
        List.copyOf(accounts), List.copyOf(regions), List.copyOf(principals), List.copyOf(keys),
        List.copyOf(ips), List.copyOf(instances), List.copyOf(rules), List.copyOf(alertIds),
        List.copyOf(findingIds), (long) alertIds.size(), (long) findingIds.size(), events, flows);
  }

  /**
   * "high: Access key used from a new address, S3 bucket made public (+2 more); 1 principal from
   * 203.0.113.7; account 1111..., us-east-1; 5 alerts, 1 finding, 42 events, 20 flow records".
   */
  static String summary(IncidentGraph.Incident inc, Map<String, Integer> titles, Set<String> principals,
      Set<String> ips, Set<String> accounts, Set<String> regions, long events, long flows, int alerts,
      int findings) {
    List<String> top = new ArrayList<>(titles.keySet());
    top.sort((a, b) -> titles.get(b) - titles.get(a) != 0 ? titles.get(b) - titles.get(a) : a.compareTo(b));
    StringBuilder s = new StringBuilder(inc.severity()).append(": ");
    s.append(top.isEmpty() ? "low-severity activity" : String.join(", ", top.subList(0, Math.min(3, top.size()))));
    if (top.size() > 3) {
      s.append(" (+").append(top.size() - 3).append(" more)");
    }
    s.append("; ").append(plural(principals.size(), "principal"));
    if (!ips.isEmpty()) {
      s.append(" from ").append(ips.size() <= 2 ? String.join(", ", ips) : plural(ips.size(), "address"));
    }
    s.append("; ").append(accounts.size() == 1 ? "account " + accounts.iterator().next()
        : plural(accounts.size(), "account"));
    s.append(", ").append(regions.size() <= 2 ? String.join(", ", regions) : plural(regions.size(), "region"));
    s.append("; ").append(plural(alerts, "alert")).append(", ").append(plural(findings, "finding"))
        .append(", ").append(plural(events, "event")).append(", ").append(plural(flows, "flow record"));
    return s.toString();
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : noun.endsWith("s") ? "es" : "s");
  }

  private static void addNonNull(Set<String> set, String v) {
    if (v != null) {
      set.add(v);
    }
  }

  private static final Pattern INCIDENT_ID = Pattern.compile("inc-[0-9a-f]{16}");

  /**
   * Writes the rows of the {@code touched} incidents to {@code table} in one commit that replaces
   * exactly those incidents' rows; every other incident's rows stay as they are (same files, same
   * contents). A table that does not exist yet, or has another schema (an older TrailKeep), is
   * written whole.
   */
  private static void write(Lake lake, String table, Dataset<Row> rows, Set<String> touched) {
    if (!lake.exists(table) || !lake.read(table).schema().equals(rows.schema())) {
      rows.write().format("delta").mode(SaveMode.Overwrite).option("overwriteSchema", "true")
          .save(lake.pathOf(table));
      return;
    }
    StringBuilder predicate = new StringBuilder("incident_id IN (");
    int n = 0;
    for (String id : touched) {
      // ids are ours (inc- and hex digits); checked anyway before they enter the predicate text
      if (!INCIDENT_ID.matcher(id).matches()) {
        throw new IllegalStateException("not an incident id: " + id);
      }
      predicate.append(n++ == 0 ? "'" : ", '").append(id).append("'");
    }
    rows.filter(col("incident_id").isin(touched.toArray())).write().format("delta").mode(SaveMode.Overwrite)
        .option("replaceWhere", predicate.append(")").toString()).save(lake.pathOf(table));
  }

  /** Adds to {@code out} the keys of either map whose values differ (or that one map lacks). */
  private static void differing(Map<String, ?> a, Map<String, ?> b, Set<String> out) {
    Set<String> ids = new TreeSet<>(a.keySet());
    ids.addAll(b.keySet());
    for (String id : ids) {
      if (!java.util.Objects.equals(a.get(id), b.get(id))) {
        out.add(id);
      }
    }
  }

  /** Per incident id, the count and hash sum of its timeline rows. */
  private static Map<String, List<Long>> timelineFingerprints(Dataset<Row> rows) {
    Column[] all = Arrays.stream(rows.columns()).sorted().map(c -> col(c)).toArray(Column[]::new);
    Map<String, List<Long>> out = new TreeMap<>();
    for (Row r : rows.groupBy("incident_id").agg(count(lit(1)), sum(xxhash64(all).cast("decimal(38,0)")))
        .collectAsList()) {
      out.put(r.getString(0), List.of(r.getLong(1), r.isNullAt(2) ? 0L : r.getDecimal(2).longValue()));
    }
    return out;
  }

  /** Per incident id, a hash of its row; empty when the table does not exist. */
  private static Map<String, Long> fingerprints(Lake lake, String table, String id) {
    return lake.exists(table) ? fingerprints(lake.read(table), id) : Map.of();
  }

  private static Map<String, Long> fingerprints(Dataset<Row> rows, String id) {
    Map<String, Long> out = new TreeMap<>();
    Column[] all = Arrays.stream(rows.columns()).sorted().map(c -> col(c)).toArray(Column[]::new);
    for (Row r : rows.select(col(id), xxhash64(all)).collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }
}
