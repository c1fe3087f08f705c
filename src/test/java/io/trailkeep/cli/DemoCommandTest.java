package io.trailkeep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.cli.CliRunner.Run;
import io.trailkeep.json.Json;
import io.trailkeep.testing.Browser;
import io.trailkeep.testing.TestSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.Dataset;
import java.util.List;
import java.util.ArrayList;
import io.trailkeep.testing.QueueOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The local demo as a new user runs it (a small organization), then {@code correlate} and
 * {@code report} on the lake it left: the demo ends with the leaked-key incident's timeline and the
 * path of its HTML report beside the lake; a rerun of correlate changes nothing; report writes the
 * incident's page where the demo said, and it opens in a browser.
 */
class DemoCommandTest {

  @Test
  void theLocalDemoThenCorrelateAndReportOnItsLake() throws Exception {
    Path root = TestSpark.tempDir("demo-local");
    Path raw = root.resolve("raw");
    Path lake = root.resolve("lake");
    Run demo = CliRunner.run("demo", "--json", "--raw", raw.toString(), "--lake", lake.toString(),
        "--set", "generate.events=1500", "--set", "generate.days=1", "--set", "generate.accounts=2");
    assertEquals(0, demo.code(), demo.err());
    JsonNode s = Json.parse(demo.lastLine());
    String html = s.get("incident_report").asText();
    assertTrue(html.startsWith(root.resolve("reports").toString() + "/inc-"), html);
    assertTrue(Files.isRegularFile(Path.of(html)), html);
    String incident = Path.of(html).getParent().getFileName().toString();
    assertTrue(demo.out().contains("10. Timeline of incident " + incident + " (scenario leaked-access-key)"),
        demo.out());
    assertTrue(demo.out().contains("Written: " + root.resolve("reports").resolve(incident).resolve("timeline.json")),
        demo.out());
    assertTrue(Files.isRegularFile(root.resolve("reports").resolve(incident).resolve("timeline.csv")));

    assertTrue(demo.out().contains("11. The incident queue (trailkeep triage --top 10)"), demo.out());

    // triage: the queue in the README's order, the top N, a severity floor, its usage errors
    Dataset<Row> stored = TestSpark.get().read().format("delta").load(lake.resolve("incidents").toString());
    List<String> order = QueueOrder.ids(stored);
    Run triage = CliRunner.run("triage", "--lake", lake.toString(), "--top", "5", "--json");
    assertEquals(0, triage.code(), triage.err());
    JsonNode q = Json.parse(triage.lastLine());
    assertEquals(order.size(), q.get("incidents_total").asLong());
    assertEquals(order.size(), q.get("incidents_matching").asLong());
    List<String> shown = new ArrayList<>();
    q.get("incidents").forEach(i -> shown.add(i.get("rank").asInt() + " " + i.get("incident_id").asText()));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < Math.min(5, order.size()); i++) {
      expected.add((i + 1) + " " + order.get(i));
    }
    assertEquals(expected, shown);
    List<String> high = QueueOrder.ids(stored.filter("severity IN ('high', 'critical')"));
    Run highOnly = CliRunner.run("triage", "--lake", lake.toString(), "--min-severity", "high", "--top", "1000", "--json");
    JsonNode h = Json.parse(highOnly.lastLine());
    assertEquals(high.size(), h.get("incidents_matching").asLong(), h.toString());
    List<String> highShown = new ArrayList<>();
    h.get("incidents").forEach(i -> highShown.add(i.get("incident_id").asText()));
    assertEquals(high, highShown);
    Run human = CliRunner.run("triage", "--lake", lake.toString(), "--top", "3");
    assertEquals(0, human.code(), human.err());
    assertTrue(human.out().startsWith("incident queue of " + lake + ": " + order.size() + " incidents, "
        + order.size() + " at or above info; the top 3\n"), human.out());
    assertTrue(human.out().contains("| 1    | " + order.get(0) + " |"), human.out());
    Run zero = CliRunner.run("triage", "--lake", lake.toString(), "--top", "0");
    assertEquals(2, zero.code(), zero.out());
    assertEquals("trailkeep: --top must be 1 or more, got 0", zero.err().strip());
    Run severe = CliRunner.run("triage", "--lake", lake.toString(), "--min-severity", "severe");
    assertEquals(2, severe.code(), severe.out());
    assertEquals("trailkeep: --min-severity must be one of info, low, medium, high, critical, got 'severe'",
        severe.err().strip());

    Run correlate = CliRunner.run("correlate", "--lake", lake.toString(), "--json");
    assertEquals(0, correlate.code(), correlate.err());
    JsonNode c = Json.parse(correlate.lastLine());
    assertTrue(c.get("unchanged").asBoolean(), "the demo correlated already: " + c);
    assertEquals(0, c.get("incidents_new").asLong(), c.toString());

    Run report = CliRunner.run("report", "--lake", lake.toString(), "--incident", incident, "--json");
    assertEquals(0, report.code(), report.err());
    JsonNode r = Json.parse(report.lastLine());
    assertEquals(root.resolve("reports").toString(), r.get("dir").asText(), "reports go beside the lake");
    Path page = Path.of(r.get("reports").get(0).get("html").asText());
    assertEquals(incident + ".html", page.getFileName().toString());
    assertTrue(Browser.dom(page).contains("<title>Incident " + incident + "</title>"));
    Run unknown = CliRunner.run("report", "--lake", lake.toString(), "--incident", "inc-0000000000000000");
    assertEquals(2, unknown.code(), unknown.out());
    assertTrue(unknown.err().startsWith("trailkeep: no incident inc-0000000000000000 under "), unknown.err());
    Run malformed = CliRunner.run("report", "--lake", lake.toString(), "--incident", "incident-7");
    assertEquals(2, malformed.code(), malformed.out());
    assertTrue(malformed.err().contains("--incident expects an incident id such as inc-0123456789abcdef"),
        malformed.err());
  }
}
