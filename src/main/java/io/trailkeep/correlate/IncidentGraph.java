package io.trailkeep.correlate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Groups seeds (alerts and GuardDuty findings) into incidents: two seeds belong to one incident
 * when they share a link entity (an address, a temporary access key, an instance) and their
 * windows, each widened by {@code window}, overlap; incidents are the connected components. Link
 * entities that {@link #common} rejects are not followed, so a NAT address or a shared role does
 * not merge unrelated seeds. An incident's id derives from its earliest seed, so later evidence
 * extends it and a rerun gives the same ids.
 *
 * <p>Cost: in the driver, O(n log n) in the number of seeds' entity links. No side effects.
 */
public final class IncidentGraph {
  private IncidentGraph() {}

  /** Severity order of alerts and GuardDuty bands. */
  public static final List<String> SEVERITIES = io.trailkeep.conf.Severity.labels();

  /** One seed: an alert or a finding, its window, severity and the entities it may link by. */
  public record Seed(String id, Instant start, Instant end, String severity, Set<String> links) {}

  /** One incident: its id, the seeds in it (sorted by time, then id) and its severity. */
  public record Incident(String id, List<Seed> seeds, String severity) {}

  /**
   * The incidents of {@code seeds}: components whose most severe seed is at least
   * {@code minSeverity}; {@code common} are link entities not followed. Sorted by id.
   */
  public static List<Incident> incidents(List<Seed> seeds, Duration window, Set<String> common,
      String minSeverity) {
    return incidents(seeds, window, common, minSeverity, null);
  }

  /**
   * As {@link #incidents(List, Duration, Set, String)}, with each component longer than
   * {@code maxSpan} (first seed's start to last seed's end; null for no cap) split at its widest
   * gap between consecutive seeds, and again until every part fits or is a single seed.
   */
  public static List<Incident> incidents(List<Seed> seeds, Duration window, Set<String> common,
      String minSeverity, Duration maxSpan) {
    List<Seed> sorted = new ArrayList<>(seeds);
    sorted.sort(Comparator.comparing(Seed::start).thenComparing(Seed::id));
    int[] parent = new int[sorted.size()];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    // per entity, the seeds holding it in time order; a sweep links each seed to the group
    // still open (the furthest widened end so far reaches its start)
    Map<String, List<Integer>> byLink = new TreeMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      for (String l : sorted.get(i).links()) {
        if (!common.contains(l)) {
          byLink.computeIfAbsent(l, k -> new ArrayList<>()).add(i);
        }
      }
    }
    for (List<Integer> members : byLink.values()) {
      int open = -1;
      Instant reach = null;
      for (int i : members) {
        Seed s = sorted.get(i);
        if (open >= 0 && !s.start().isAfter(reach)) {
          union(parent, open, i);
        } else {
          open = i;
          reach = null;
        }
        Instant end = s.end().plus(window);
        reach = reach == null || end.isAfter(reach) ? end : reach;
      }
    }
    Map<Integer, List<Seed>> groups = new HashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      groups.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(sorted.get(i));
    }
    int min = rank(minSeverity);
    Map<String, Incident> out = new TreeMap<>();
    List<List<Seed>> parts = new ArrayList<>();
    for (List<Seed> g : groups.values()) {
      split(g, maxSpan, parts);
    }
    for (List<Seed> g : parts) {
      String severity = g.get(0).severity();
      for (Seed s : g) {
        severity = rank(s.severity()) > rank(severity) ? s.severity() : severity;
      }
      if (rank(severity) >= min) {
        String id = idOf(g.get(0).id());
        out.put(id, new Incident(id, List.copyOf(g), severity));
      }
    }
    return List.copyOf(out.values());
  }

  /**
   * Adds {@code g} (seeds in time order) to {@code out}, split at its widest gap - the longest
   * time from the furthest end so far to the next seed's start; the earliest on a tie - while it
   * spans more than {@code maxSpan}. Each part keeps the time order; its id is its earliest seed's.
   */
  static void split(List<Seed> g, Duration maxSpan, List<List<Seed>> out) {
    if (maxSpan == null || g.size() < 2 || spanOf(g).compareTo(maxSpan) <= 0) {
      out.add(g);
      return;
    }
    int at = 1;
    Duration widest = null;
    Instant reach = g.get(0).end();
    for (int i = 1; i < g.size(); i++) {
      Duration gap = Duration.between(reach, g.get(i).start());
      if (widest == null || gap.compareTo(widest) > 0) {
        widest = gap;
        at = i;
      }
      reach = g.get(i).end().isAfter(reach) ? g.get(i).end() : reach;
    }
    split(g.subList(0, at), maxSpan, out);
    split(g.subList(at, g.size()), maxSpan, out);
  }

  /** From the first seed's start to the furthest end. */
  private static Duration spanOf(List<Seed> g) {
    Instant end = g.get(0).end();
    for (Seed s : g) {
      end = s.end().isAfter(end) ? s.end() : end;
    }
    return Duration.between(g.get(0).start(), end);
  }

  /** The link entities of a set of seeds that the fan-out rule rejects, given partner counts. */
  public static Set<String> common(Map<String, Long> partners, long maxFanout) {
    Set<String> out = new TreeSet<>();
    partners.forEach((link, n) -> {
      if (n > maxFanout) {
        out.add(link);
      }
    });
    return out;
  }

  /** Position of a severity in {@link #SEVERITIES}; unknown or null ranks lowest. */
  public static int rank(String severity) {
    return io.trailkeep.conf.Severity.rank(severity);
  }

  /** An incident's id: {@code inc-} and 16 hex digits of SHA-256 of its earliest seed's id. */
  public static String idOf(String earliestSeed) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(earliestSeed.getBytes(StandardCharsets.UTF_8));
      return "inc-" + HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      // the earlier seed's root wins, so a group's root is its earliest seed
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
}
