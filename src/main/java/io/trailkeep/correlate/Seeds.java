package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.xxhash64;

import io.trailkeep.lake.Lake;
import io.trailkeep.schema.EntityTables;
import io.trailkeep.schema.Source;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The seeds of correlation: every alert (but those a user's exception suppresses) and live
 * GuardDuty finding as a {@link SeedFacts}, with
 * the links it carries (an address, a temporary key as used from an address), widened by its
 * keys' session chains ({@code entity_sessions}) and narrowed to the network interface a private
 * address was on at the time ({@code entity_interfaces}).
 *
 * <p>Cost: the seeds' few columns collected to the driver; one filtered read of each entity
 * table. No side effects.
 */
final class Seeds {
  private Seeds() {}

  private static final Pattern INSTANCE = Pattern.compile("i-[0-9a-f]{8,17}");

  /**
   * Every alert as a seed, linking by its address and its temporary key as used from there; an
   * alert a user's exception suppresses ({@code suppressed_by}) seeds nothing.
   */
  static List<SeedFacts> alertSeeds(Dataset<Row> stored) {
    Dataset<Row> alerts = java.util.Arrays.asList(stored.columns()).contains("suppressed_by")
        ? stored.filter(col("suppressed_by").isNull()) : stored;
    List<SeedFacts> out = new ArrayList<>();
    for (Row r : alerts.withColumn("_row", rowHash(alerts)).select("alert_id", "window_start", "window_end",
        "severity", "account_id", "region", "principal", "access_key_id", "source_ip", "resource", "rule_id", "title",
        "_row").collectAsList()) {
      String account = r.getString(4);
      String resource = r.getString(9);
      String instance = resource != null && INSTANCE.matcher(resource).matches() ? resource : null;
      Set<Link> links = new TreeSet<>();
      addIp(links, r.getString(8), account);
      addKey(links, r.getString(7), r.getString(8) == null ? List.of() : List.of(r.getString(8)));
      out.add(new SeedFacts("alert:" + r.getString(0), r.getTimestamp(1).toInstant(),
          r.getTimestamp(2).toInstant(), r.getString(3), links, "alert", r.getString(0), account, r.getString(5),
          r.getString(6), r.getString(7), r.getString(8), instance, r.getString(10), r.getString(11),
          r.getLong(12)));
    }
    return out;
  }

  /**
   * Every live finding (not archived, not a sample) as a seed from its activity's first to last
   * sight, linking by its remote addresses and its temporary key as used from them.
   */
  static List<SeedFacts> findingSeeds(Dataset<Row> findings) {
    List<SeedFacts> out = new ArrayList<>();
    Column live = col("archived").isNull().or(col("archived").equalTo(false))
        .and(col("sample").isNull().or(col("sample").equalTo(false)));
    for (Row r : findings.filter(live).select(col("id"),
        org.apache.spark.sql.functions.coalesce(col("first_seen"), col("createdAt")),
        // the activity's last sight, never updatedAt (which moves with every update of the finding)
        org.apache.spark.sql.functions.coalesce(col("last_seen"), col("first_seen"), col("createdAt")),
        col("severity_band"),
        col("accountId"), col("region"), col("principal_arn"), col("access_key_id"), col("remote_ips"),
        col("instance_id"), col("type"), col("title"), rowHash(findings)).collectAsList()) {
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
          r.getString(7), remote.isEmpty() ? null : remote.get(0), instance, r.getString(10), r.getString(11),
          r.getLong(12)));
    }
    return out;
  }

  /** A hash of every column of the row (as JSON, so any column type hashes). */
  private static Column rowHash(Dataset<Row> table) {
    Column[] all = Arrays.stream(table.columns()).sorted().map(c -> col("`" + c + "`")).toArray(Column[]::new);
    return xxhash64(to_json(struct(all)));
  }

  /**
   * The seeds with their temporary keys' session chains added as links (the session that assumed
   * theirs and the sessions theirs assumed, {@link SessionResolution#chainedKeys}): credentials
   * that assumed a role and the role session they obtained belong to one actor.
   */
  static List<SeedFacts> withSessionChains(Lake lake, List<SeedFacts> seeds, long maxFanout) {
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
  static List<SeedFacts> withInterfaces(Lake lake, List<SeedFacts> seeds) {
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
  static String interfaceAt(List<Row> facts, Instant t) {
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
}
