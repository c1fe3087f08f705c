package io.trailkeep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.cli.CliRunner.Run;
import io.trailkeep.json.Json;
import io.trailkeep.testing.Browser;
import io.trailkeep.testing.TestSpark;
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
