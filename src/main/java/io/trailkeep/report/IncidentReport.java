package io.trailkeep.report;

import static org.apache.spark.sql.functions.col;

import io.trailkeep.conf.ConfException;
import io.trailkeep.correlate.Timeline;
import io.trailkeep.correlate.TimelineFiles;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.IncidentTables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Incident reports: per incident, {@code <id>.html} (a {@link TimelinePage} with the incident's
 * summary and facts) and {@code <id>.json} (the incident row and its timeline). Cost: one read of
 * the incidents and one of their timeline rows, collected to the driver. Side effects: the files.
 */
public final class IncidentReport {

  /**
   * Where reports go when no folder is named: {@code reports} beside a local lake (the lake
   * {@code demo-data/lake} has its reports in {@code demo-data/reports}), or under the working
   * directory for a lake on S3 (reports are local files).
   */
  public static java.nio.file.Path defaultDir(String lakeRoot) {
    return Lake.localSibling(lakeRoot, "reports");
  }


  private IncidentReport() {}

  /** The files written for one incident. */
  public record Written(String incidentId, String severity, String html, String json) {}

  private static final List<String> FACTS = List.of("first_time", "last_time", "severity", "accounts",
      "regions", "principals", "access_keys", "source_ips", "instances", "rule_ids", "alert_count",
      "finding_count", "event_count", "flow_records");

  /** Writes the reports of {@code ids} (every incident when null) into {@code dir}. */
  public static List<Written> write(Lake lake, List<String> ids, Path dir) throws IOException {
    if (!lake.exists(IncidentTables.INCIDENTS)) {
      throw new ConfException("no incidents table under " + lake.root() + "; run 'trailkeep correlate' first");
    }
    Dataset<Row> incidents = lake.read(IncidentTables.INCIDENTS);
    Dataset<Row> timeline = lake.read(IncidentTables.TIMELINE);
    if (ids != null) {
      incidents = incidents.filter(col("incident_id").isin(ids.toArray()));
      timeline = timeline.filter(col("incident_id").isin(ids.toArray()));
    }
    Map<String, Row> byId = new LinkedHashMap<>();
    for (Row r : incidents.orderBy("first_time", "incident_id").collectAsList()) {
      byId.put(r.getAs("incident_id"), r);
    }
    if (ids != null) {
      for (String id : ids) {
        if (!byId.containsKey(id)) {
          throw new ConfException("no incident " + id + " under " + lake.root() + "; list them with: "
              + "trailkeep sql \"SELECT incident_id, severity, summary FROM incidents ORDER BY first_time\"");
        }
      }
    }
    Dataset<Row> ordered = timeline.orderBy(Timeline.order());
    Map<String, List<Map<String, Object>>> rows = new LinkedHashMap<>();
    List<String> columns = new ArrayList<>(Arrays.asList(ordered.columns()));
    columns.remove("incident_id");
    for (Row r : ordered.collectAsList()) {
      Map<String, Object> m = TimelineFiles.map(ordered.schema(), r);
      String id = (String) m.remove("incident_id");
      rows.computeIfAbsent(id, k -> new ArrayList<>()).add(m);
    }
    Files.createDirectories(dir);
    List<Written> out = new ArrayList<>();
    for (Row inc : byId.values()) {
      String id = inc.getAs("incident_id");
      Map<String, Object> all = TimelineFiles.map(inc.schema(), inc);
      Map<String, Object> facts = new LinkedHashMap<>();
      for (String f : FACTS) {
        facts.put(f, all.get(f));
      }
      List<Map<String, Object>> mine = rows.getOrDefault(id, List.of());
      String html = TimelinePage.render("Incident " + id, (String) all.get("summary"), facts, columns, mine);
      Path htmlFile = dir.resolve(id + ".html");
      Files.writeString(htmlFile, html, StandardCharsets.UTF_8);
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("incident_id", id);
      doc.put("summary", all.get("summary"));
      doc.putAll(facts);
      doc.put("alert_ids", all.get("alert_ids"));
      doc.put("finding_ids", all.get("finding_ids"));
      doc.put("timeline", mine);
      Path jsonFile = dir.resolve(id + ".json");
      Files.writeString(jsonFile, Json.pretty(doc) + "\n", StandardCharsets.UTF_8);
      out.add(new Written(id, inc.getAs("severity"), htmlFile.toString(), jsonFile.toString()));
    }
    return out;
  }
}
