package io.trailkeep.report;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A self-contained HTML page of a timeline: an optional incident summary, an SVG time axis with
 * a lane per source, the entities as a picture (principals, the addresses they came from, and
 * what those addresses reached), and every row in order. Rendered from a Mustache template that
 * escapes every value, under a Content-Security-Policy that allows no script and no outside
 * resource, so the page opens offline and attacker-controlled log text stays text. Cost: linear
 * in the rows, in the driver. No side effects.
 */
public final class TimelinePage {
  private TimelinePage() {}

  /** The lanes, top to bottom. */
  static final List<String> SOURCES = List.of("alert", "guardduty", "cloudtrail", "vpc_flow");
  private static final int WIDTH = 1000;
  private static final int LEFT = 90;
  private static final int RIGHT = 50;
  private static final int LANE = 40;
  private static final int MAX_NODES = 12;
  private static final int LABEL = 38;
  private static final DateTimeFormatter TICK = DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private static final Template TEMPLATE = Mustache.compiler().escapeHTML(true).nullValue("")
      .compile(resource("report/page.html.mustache"));

  /**
   * The page. {@code rows}: timeline rows as maps (times as ISO-8601 text, see
   * {@code TimelineFiles.map}), in time order; {@code facts}: the incident's facts, or null.
   */
  public static String render(String title, String summary, Map<String, Object> facts,
      List<String> columns, List<Map<String, Object>> rows) {
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("title", title);
    page.put("generatedFor", title);
    if (facts != null) {
      List<Map<String, Object>> f = new ArrayList<>();
      facts.forEach((k, v) -> f.add(Map.of("name", k, "value", v instanceof List
          ? String.join(", ", ((List<?>) v).stream().map(String::valueOf).toList()) : String.valueOf(v))));
      page.put("incident", Map.of("summary", summary == null ? "" : summary, "facts", f));
    }
    timeline(page, rows);
    graph(page, rows);
    page.put("columns", columns);
    List<Map<String, Object>> table = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      List<String> cells = new ArrayList<>();
      for (String c : columns) {
        cells.add(r.get(c) == null ? "" : String.valueOf(r.get(c)));
      }
      table.add(Map.of("source", String.valueOf(r.get("source")), "cells", cells));
    }
    page.put("rows", table);
    return TEMPLATE.execute(page);
  }

  private static void timeline(Map<String, Object> page, List<Map<String, Object>> rows) {
    Instant first = null;
    Instant last = null;
    for (Map<String, Object> r : rows) {
      Instant t = time(r);
      if (t != null) {
        first = first == null || t.isBefore(first) ? t : first;
        last = last == null || t.isAfter(last) ? t : last;
      }
    }
    if (first == null) {
      first = Instant.EPOCH;
      last = Instant.EPOCH;
    }
    long spanMs = Math.max(1, Duration.between(first, last).toMillis());
    int plot = WIDTH - LEFT - RIGHT;
    int height = 20 + LANE * SOURCES.size() + 30;
    List<Map<String, Object>> lanes = new ArrayList<>();
    for (int i = 0; i < SOURCES.size(); i++) {
      int y = 20 + LANE * i + LANE / 2;
      lanes.add(Map.of("name", SOURCES.get(i), "y", y, "labelY", y + 4, "x1", LEFT, "x2", WIDTH - RIGHT));
    }
    List<Map<String, Object>> ticks = new ArrayList<>();
    for (int i = 0; i <= 4; i++) {
      int x = LEFT + plot * i / 4;
      ticks.add(Map.of("x", x, "y1", 20, "y2", 20 + LANE * SOURCES.size(), "labelY", height - 8,
          "label", TICK.format(first.plusMillis(spanMs * i / 4))));
    }
    List<Map<String, Object>> points = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      Instant t = time(r);
      int lane = SOURCES.indexOf(String.valueOf(r.get("source")));
      if (t == null || lane < 0) {
        continue;
      }
      long count = r.get("count") instanceof Number ? ((Number) r.get("count")).longValue() : 1;
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("source", r.get("source"));
      p.put("x", LEFT + (int) (plot * Duration.between(first, t).toMillis() / spanMs));
      p.put("y", 20 + LANE * lane + LANE / 2);
      p.put("r", 3 + Math.min(6, 63 - Long.numberOfLeadingZeros(Math.max(1, count))));
      p.put("tip", r.get("time") + " " + r.get("action") + (r.get("target") == null ? "" : " -> " + r.get("target"))
          + " (" + r.get("outcome") + ", " + count + ")");
      points.add(p);
    }
    page.put("rowCount", rows.size());
    page.put("span", first.equals(Instant.EPOCH) ? "no rows" : first + " to " + last);
    page.put("width", WIDTH);
    page.put("height", height);
    page.put("lanes", lanes);
    page.put("ticks", ticks);
    page.put("points", points);
  }

  /** Principals (left), the addresses they used (middle), what flows from those reached (right). */
  private static void graph(Map<String, Object> page, List<Map<String, Object>> rows) {
    Map<String, Long> principals = new LinkedHashMap<>();
    Map<String, Long> addresses = new LinkedHashMap<>();
    Map<String, Long> targets = new LinkedHashMap<>();
    Map<List<String>, Boolean> edges = new LinkedHashMap<>();
    for (Map<String, Object> r : rows) {
      String source = String.valueOf(r.get("source"));
      String ip = (String) r.get("source_ip");
      if (source.equals("vpc_flow")) {
        String target = (String) r.get("target");
        if (ip != null && target != null) {
          addresses.merge(ip, 1L, Long::sum);
          targets.merge(target, 1L, Long::sum);
          edges.put(List.of("a:" + ip, "t:" + target), true);
        }
        continue;
      }
      String actor = (String) r.get("actor");
      if (actor != null) {
        principals.merge(actor, 1L, Long::sum);
      }
      if (ip != null) {
        addresses.merge(ip, 1L, Long::sum);
      }
      if (actor != null && ip != null) {
        edges.put(List.of("p:" + actor, "a:" + ip), true);
      }
    }
    Map<String, int[]> at = new LinkedHashMap<>();
    List<Map<String, Object>> nodes = new ArrayList<>();
    int rowsTall = Math.max(1, Math.max(Math.min(MAX_NODES + 1, principals.size()),
        Math.max(Math.min(MAX_NODES + 1, addresses.size()), Math.min(MAX_NODES + 1, targets.size()))));
    int height = 40 + rowsTall * 44;
    column(nodes, at, "principal", "p:", principals, 170);
    column(nodes, at, "address", "a:", addresses, 500);
    column(nodes, at, "target", "t:", targets, 830);
    List<Map<String, Object>> lines = new ArrayList<>();
    for (List<String> e : edges.keySet()) {
      int[] a = at.get(e.get(0));
      int[] b = at.get(e.get(1));
      if (a != null && b != null) {
        lines.add(Map.of("x1", a[0], "y1", a[1], "x2", b[0], "y2", b[1]));
      }
    }
    page.put("graphWidth", WIDTH);
    page.put("graphHeight", height);
    page.put("columnsTitles", List.of(Map.of("x", 170, "name", "principals"),
        Map.of("x", 500, "name", "addresses"), Map.of("x", 830, "name", "reached (flows)")));
    page.put("nodes", nodes);
    page.put("edges", lines);
  }

  private static void column(List<Map<String, Object>> nodes, Map<String, int[]> at, String kind, String prefix,
      Map<String, Long> counts, int x) {
    List<Map.Entry<String, Long>> byCount = new ArrayList<>(counts.entrySet());
    byCount.sort((a, b) -> !Objects.equals(a.getValue(), b.getValue())
        ? Long.compare(b.getValue(), a.getValue()) : a.getKey().compareTo(b.getKey()));
    int y = 44;
    for (int i = 0; i < byCount.size() && i < MAX_NODES; i++) {
      String name = byCount.get(i).getKey();
      nodes.add(Map.of("kind", kind, "x", x, "y", y, "labelY", y + 18, "full", name,
          "label", name.length() > LABEL ? "..." + name.substring(name.length() - LABEL + 3) : name));
      at.put(prefix + name, new int[] {x, y});
      y += 44;
    }
    if (byCount.size() > MAX_NODES) {
      String more = "+" + (byCount.size() - MAX_NODES) + " more";
      nodes.add(Map.of("kind", kind, "x", x, "y", y, "labelY", y + 18, "full", more, "label", more));
    }
  }

  private static Instant time(Map<String, Object> r) {
    Object t = r.get("time");
    return t == null ? null : Instant.parse(String.valueOf(t));
  }

  static String resource(String name) {
    try (InputStream in = TimelinePage.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
