package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;

import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;

/**
 * The address links correlation does not follow: per UTC day, an address used by more than
 * {@code correlate.max-fanout} principals (a NAT, a proxy), as {@link IncidentGraph#common}
 * decides. Counted per day, so what a later day brings never changes whether an earlier day's
 * seeds link.
 *
 * <p>Cost: one aggregation of the seeds' days of CloudTrail's address and principal columns,
 * filtered to the seeds' addresses, collected. No side effects.
 */
final class FanOut {
  private FanOut() {}

  /**
   * Per address link, the UTC days on which its address was used by more than {@code maxFanout}
   * principals (a NAT, a proxy). Counted per day, so what a later day brings never changes
   * whether an earlier day's seeds link. Cost: one aggregation of the seeds' days of CloudTrail's
   * address and principal columns, filtered to the seeds' addresses.
   */
  static Map<Link, Set<String>> commonLinks(Lake lake, List<SeedFacts> seeds, long maxFanout) {
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
        .filter(col(CloudTrailTable.PARTITION_COLUMN).between(lit(SeedFacts.day(first)), lit(SeedFacts.day(last)))
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
  static List<SeedFacts> withoutCommon(List<SeedFacts> seeds, Map<Link, Set<String>> commonDays) {
    if (commonDays.isEmpty()) {
      return seeds;
    }
    List<SeedFacts> out = new ArrayList<>();
    for (SeedFacts f : seeds) {
      String d = SeedFacts.day(f.seed().start()).toString();
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
}
