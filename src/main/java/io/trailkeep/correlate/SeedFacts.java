package io.trailkeep.correlate;

import java.sql.Date;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;

/**
 * A seed, the entities it links by, and the facts its incident's summary and entity lists are
 * built from. The graph's seed holds the links' ids. {@code row}: a hash of the whole alert or
 * finding row it was read from (an alert that gained events, a finding updated, hash differently).
 */
record SeedFacts(IncidentGraph.Seed seed, Set<Link> links, String kind, String ref, String account,
    String region, String principal, String key, String ip, String instance, String rule, String title,
    long row) {
  SeedFacts(String seedId, Instant start, Instant end, String severity, Set<Link> links, String kind,
      String ref, String account, String region, String principal, String key, String ip, String instance,
      String rule, String title, long row) {
    this(new IncidentGraph.Seed(seedId, start, end, severity, ids(links)), Set.copyOf(links), kind, ref,
        account, region, principal, key, ip, instance, rule, title, row);
  }

  /** The same seed linking by {@code other} instead. */
  SeedFacts withLinks(Set<Link> other) {
    return new SeedFacts(seed.id(), seed.start(), seed.end(), seed.severity(), other, kind, ref, account,
        region, principal, key, ip, instance, rule, title, row);
  }

  private static Set<String> ids(Set<Link> links) {
    Set<String> out = new TreeSet<>();
    links.forEach(l -> out.add(l.id()));
    return out;
  }

  /** The UTC day of {@code t}. */
  static Date day(Instant t) {
    return Date.valueOf(t.atZone(ZoneOffset.UTC).toLocalDate());
  }
}
