package io.trailkeep.correlate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trailkeep.correlate.IncidentGraph.Incident;
import io.trailkeep.correlate.IncidentGraph.Seed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Merging, the window, the fan-out bound and stable ids, on hand-built seeds. */
class IncidentGraphTest {
  private static final Instant T0 = Instant.parse("2026-03-04T10:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);

  private static Seed seed(String id, int startMinute, int endMinute, String severity, String... links) {
    return new Seed(id, T0.plus(Duration.ofMinutes(startMinute)), T0.plus(Duration.ofMinutes(endMinute)),
        severity, new TreeSet<>(List.of(links)));
  }

  /** The incidents as lists of seed ids, in id order of their incidents. */
  private static List<List<String>> groups(List<Incident> incidents) {
    List<List<String>> out = new ArrayList<>();
    for (Incident i : incidents) {
      out.add(i.seeds().stream().map(Seed::id).toList());
    }
    out.sort((a, b) -> a.get(0).compareTo(b.get(0)));
    return out;
  }

  @Test
  void seedsSharingAnEntityWithinTheWindowMergeTransitively() {
    List<Seed> seeds = List.of(
        seed("a", 0, 5, "high", "ip:203.0.113.7"),
        seed("b", 50, 55, "low", "ip:203.0.113.7", "key:ASIAEXAMPLE1"),
        // shares only the key with b, 40 minutes after b's end: joins through b
        seed("c", 95, 96, "medium", "key:ASIAEXAMPLE1"),
        // same address as a, but more than the window after the group's last seed
        seed("d", 200, 201, "medium", "ip:203.0.113.7"),
        // nothing shared
        seed("e", 1, 2, "critical", "ip:198.51.100.1"));
    assertEquals(List.of(List.of("a", "b", "c"), List.of("d"), List.of("e")),
        groups(IncidentGraph.incidents(seeds, HOUR, Set.of(), "low")));
  }

  @Test
  void aChainLongerThanTheSpanCapSplitsAtItsWidestGapUntilEveryPartFits() {
    // one address now and then for 7 hours: one chain when seeds within two hours link
    Duration link = Duration.ofHours(2);
    List<Seed> seeds = List.of(
        seed("a", 0, 10, "high", "ip:203.0.113.7"),
        seed("b", 60, 70, "medium", "ip:203.0.113.7"),
        // the widest gap: 100 minutes from b's end
        seed("c", 170, 175, "medium", "ip:203.0.113.7"),
        seed("d", 220, 230, "medium", "ip:203.0.113.7"),
        // the next widest: 80 minutes from d's end
        seed("e", 310, 320, "high", "ip:203.0.113.7"),
        // a long seed whose end reaches past f's start: no gap between them
        seed("f", 340, 420, "medium", "ip:203.0.113.7"),
        seed("g", 400, 405, "medium", "ip:203.0.113.7"));
    assertEquals(List.of(List.of("a", "b", "c", "d", "e", "f", "g")),
        groups(IncidentGraph.incidents(seeds, link, Set.of(), "low", null)));
    assertEquals(List.of(List.of("a", "b", "c", "d", "e", "f", "g")),
        groups(IncidentGraph.incidents(seeds, link, Set.of(), "low", Duration.ofMinutes(420))));
    // 7 hours under a 4-hour cap: split after b (a..b, c..g), then c..g (250 minutes) after d
    assertEquals(List.of(List.of("a", "b"), List.of("c", "d"), List.of("e", "f", "g")),
        groups(IncidentGraph.incidents(seeds, link, Set.of(), "low", Duration.ofHours(4))));
    // each part's id is its own earliest seed's, as for any incident
    List<Incident> parts = IncidentGraph.incidents(seeds, link, Set.of(), "low", Duration.ofHours(4));
    assertEquals(new TreeSet<>(List.of(IncidentGraph.idOf("a"), IncidentGraph.idOf("c"), IncidentGraph.idOf("e"))),
        new TreeSet<>(parts.stream().map(Incident::id).toList()));
    // a single seed longer than the cap stays whole
    assertEquals(List.of(List.of("x")), groups(IncidentGraph.incidents(
        List.of(seed("x", 0, 600, "high", "ip:198.51.100.1")), HOUR, Set.of(), "low", HOUR)));
  }

  @Test
  void aCommonEntityIsNotFollowed() {
    List<Seed> seeds = List.of(
        seed("a", 0, 5, "high", "ip:192.0.2.1"),
        seed("b", 10, 15, "high", "ip:192.0.2.1"));
    assertEquals(List.of(List.of("a", "b")), groups(IncidentGraph.incidents(seeds, HOUR, Set.of(), "low")));
    assertEquals(List.of(List.of("a"), List.of("b")),
        groups(IncidentGraph.incidents(seeds, HOUR, Set.of("ip:192.0.2.1"), "low")));
  }

  @Test
  void theFanOutBoundRejectsOnlyEntitiesAboveIt() {
    assertEquals(Set.of("ip:192.0.2.1"),
        IncidentGraph.common(Map.of("ip:192.0.2.1", 26L, "ip:192.0.2.2", 25L, "ip:192.0.2.3", 1L), 25));
  }

  @Test
  void severityIsTheMaximumAndWeakGroupsAreNoIncident() {
    List<Seed> seeds = List.of(
        seed("a", 0, 1, "low", "ip:203.0.113.9"),
        seed("b", 2, 3, "critical", "ip:203.0.113.9"),
        seed("c", 500, 501, "low", "ip:203.0.113.50"));
    List<Incident> incidents = IncidentGraph.incidents(seeds, HOUR, Set.of(), "medium");
    assertEquals(1, incidents.size());
    assertEquals("critical", incidents.get(0).severity());
    assertEquals(List.of("a", "b"), incidents.get(0).seeds().stream().map(Seed::id).toList());
  }

  @Test
  void theIdComesFromTheEarliestSeedSoLaterEvidenceExtendsTheIncident() {
    List<Seed> first = List.of(seed("alert:x", 0, 1, "high", "ip:203.0.113.9"));
    List<Seed> more = List.of(first.get(0), seed("finding:y", 30, 40, "medium", "ip:203.0.113.9"));
    String id = IncidentGraph.incidents(first, HOUR, Set.of(), "low").get(0).id();
    List<Incident> extended = IncidentGraph.incidents(more, HOUR, Set.of(), "low");
    assertEquals(1, extended.size());
    assertEquals(id, extended.get(0).id());
    assertEquals(2, extended.get(0).seeds().size());
    // the id is a hash of the earliest seed's id, never of the order the seeds came in
    assertEquals(id, IncidentGraph.incidents(List.of(more.get(1), more.get(0)), HOUR, Set.of(), "low")
        .get(0).id());
    assertEquals(20, id.length());
  }

  @Test
  void linksAreAddressesScopedWhenPrivateAndTemporaryKeysOnly() {
    Set<Link> links = new TreeSet<>();
    Seeds.addIp(links, "203.0.113.7", "111122223333");
    Seeds.addIp(links, "10.0.1.5", "111122223333");
    Seeds.addIp(links, "172.20.0.1", "444455556666");
    Seeds.addIp(links, "AWS Internal", "111122223333");
    Seeds.addIp(links, "ec2.amazonaws.com", "111122223333");
    Seeds.addIp(links, null, "111122223333");
    Seeds.addKey(links, "ASIAEXAMPLEEXAMPLE01", List.of());
    Seeds.addKey(links, "ASIAEXAMPLEEXAMPLE02", List.of("203.0.113.7", "ec2.amazonaws.com", "10.0.1.5"));
    Seeds.addKey(links, "ASIAEXAMPLEEXAMPLE03", List.of("AWS Internal"));
    Seeds.addKey(links, "AKIAEXAMPLEEXAMPLE01", List.of("203.0.113.7"));
    assertEquals(Set.of("ip:203.0.113.7", "ip:10.0.1.5@111122223333", "ip:172.20.0.1@444455556666",
        "key:ASIAEXAMPLEEXAMPLE01", "key:ASIAEXAMPLEEXAMPLE02|203.0.113.7", "key:ASIAEXAMPLEEXAMPLE02|10.0.1.5",
        "key:ASIAEXAMPLEEXAMPLE03"), new TreeSet<>(links.stream().map(Link::id).toList()));
  }
}
