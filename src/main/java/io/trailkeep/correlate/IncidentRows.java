package io.trailkeep.correlate;


import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The {@code incidents} row of an incident: its seeds' entities, its timeline's counts and times
 * (the evidence it holds), and a one-line summary. Pure: no Spark job, no side effect.
 */
final class IncidentRows {
  private IncidentRows() {}

  /**
   * One incidents row: the seeds' facts, the timeline's counts, a summary built from both, and
   * the seeds' fingerprint ({@link #seedFingerprint}).
   */
  static Row incidentRow(IncidentGraph.Incident inc, Map<String, SeedFacts> facts, Row counts, String fingerprint) {
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
        List.copyOf(findingIds), (long) alertIds.size(), (long) findingIds.size(), events, flows, fingerprint);
  }

  /**
   * A hash of what an incident is built from besides the source days under its span: each seed's
   * id, row hash, times, severity and links, and the window. Equal fingerprints and unchanged
   * source days give an equal timeline and row, so correlate need not rebuild them.
   */
  private static final String FINGERPRINT_FORMAT = "incident-v1";

  static String seedFingerprint(IncidentGraph.Incident inc, Map<String, SeedFacts> facts, Duration window) {
    // the format's version: a TrailKeep that builds timelines or rows differently changes it, and
    // every stored incident is rebuilt once
    StringBuilder text = new StringBuilder(FINGERPRINT_FORMAT).append(" window=").append(window.toMinutes());
    List<IncidentGraph.Seed> seeds = new ArrayList<>(inc.seeds());
    seeds.sort(java.util.Comparator.comparing(IncidentGraph.Seed::id));
    for (IncidentGraph.Seed s : seeds) {
      SeedFacts f = facts.get(s.id());
      text.append('\n').append(s.id()).append('|').append(f.row()).append('|').append(s.start()).append('|')
          .append(s.end()).append('|').append(s.severity()).append('|').append(new TreeSet<>(s.links()));
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
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

  static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : noun.endsWith("s") ? "es" : "s");
  }

  static void addNonNull(Set<String> set, String v) {
    if (v != null) {
      set.add(v);
    }
  }
}
