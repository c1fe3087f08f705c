package io.trailkeep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.cli.CliRunner;
import io.trailkeep.correlate.CorrelateJob;
import io.trailkeep.detect.DetectJob;
import io.trailkeep.detect.RuleFiles;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.Browser;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTML pages in a real browser (Debian's headless Chromium, which {@code .ci/run} installs
 * when missing): an incident whose events carry a script in the userAgent and markup in the user
 * name renders every section, shows the hostile text as text, and runs none of it; the same for
 * {@code investigate --out}'s timeline.html. Chromium prints the DOM after the page has loaded
 * and run whatever it would run, so a script that ran would have changed the title.
 */
class ReportBrowserTest {
  private static final String IP = "203.0.113.66";
  private static final String AGENT = "<script>document.title='pwned'</script>";
  private static final String USER = "<img src=x onerror=\"document.title='pwned'\">";
  private static Path lakeDir;
  private static List<IncidentReport.Written> reports;

  private static String hostile(String id, String time, String eventName, String params) {
    return Fixtures.record(id, time, eventName).replace("\"ec2.amazonaws.com\"", "\"iam.amazonaws.com\"")
        .replace("\"sourceIPAddress\":\"198.51.100.7\"", "\"sourceIPAddress\":\"" + IP + "\"")
        .replace("\"userAgent\":\"aws-cli/2\"", "\"userAgent\":" + Json.write(AGENT))
        .replace("\"readOnly\":true", "\"readOnly\":false")
        .replace("{\"maxResults\":5}", params);
  }

  @BeforeAll
  static void incident() throws IOException {
    Path raw = TestSpark.tempDir("report-raw");
    lakeDir = TestSpark.tempDir("report-lake");
    String user = Json.write(USER);
    Fixtures.writeGzip(raw, Fixtures.logKey(Fixtures.ACCOUNT, Fixtures.REGION, "20260304T1005Z", "rep1"),
        Fixtures.body(List.of(
            hostile("r1", "2026-03-04T10:00:00Z", "CreateUser", "{\"userName\":" + user + "}"),
            hostile("r2", "2026-03-04T10:01:00Z", "AttachUserPolicy", "{\"userName\":" + user
                + ",\"policyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\"}"))));
    Lake lake = new Lake(TestSpark.get(), lakeDir.toString());
    IngestJob.into(lake).raw(raw.toString()).execute();
    DetectJob.on(lake).onlyRules(RuleFiles.shipped().stream()
        .filter(r -> r.id().equals("administrator-access-attached")).toList()).execute();
    CorrelateJob.on(lake).execute();
    reports = IncidentReport.write(lake, null, TestSpark.tempDir("report-out"));
  }

  static String dom(Path html) throws IOException, InterruptedException {
    return Browser.dom(html);
  }

  private static void assertInert(String dom) {
    assertFalse(dom.contains("pwned</title>"), "a script from the logs ran");
    assertFalse(dom.contains("<script>document.title"), "the userAgent became a script element");
    assertFalse(dom.contains("<img src=\"x\""), "the user name became an element");
    assertTrue(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), "the userAgent shows as text");
    assertTrue(dom.contains("&lt;img src=x onerror=\"document.title='pwned'\"&gt;")
        || dom.contains("&lt;img src=x onerror=&quot;document.title='pwned'&quot;&gt;"), "the user name shows as text");
  }

  @Test
  void theIncidentReportRendersEverySectionAndRunsNothingFromTheLogs() throws Exception {
    assertEquals(1, reports.size(), reports.toString());
    IncidentReport.Written r = reports.get(0);
    assertEquals("high", r.severity());
    String dom = dom(Path.of(r.html()));
    assertTrue(dom.contains("<title>Incident " + r.incidentId() + "</title>"), dom);
    for (String section : List.of("summary", "timeline", "graph", "rows")) {
      assertTrue(dom.contains("<section id=\"" + section + "\">"), section);
    }
    assertTrue(dom.contains("<circle class=\"cloudtrail\""), "CloudTrail events are on the time axis");
    assertTrue(dom.contains("<circle class=\"alert\""), "the alert is on the time axis");
    assertTrue(dom.contains("<circle class=\"address\""), "the address is in the entity picture");
    assertTrue(dom.contains("administrator-access-attached"), "the rule is named");
    // no attribute names another place to load from, whatever the scheme (http, https, //host)
    assertFalse(java.util.regex.Pattern.compile("(?i)\\b(src|href|xlink:href|action|poster|data)\\s*=\\s*[\"']?"
        + "\\s*(https?:|//|ftp:)").matcher(dom).find(), "nothing loads from elsewhere");
    assertFalse(dom.toLowerCase(java.util.Locale.ROOT).matches("(?s).*url\\(\\s*['\"]?\\s*(https?:|//).*"),
        "no stylesheet loads from elsewhere");
    assertInert(dom);
    String json = Files.readString(Path.of(r.json()), StandardCharsets.UTF_8);
    assertEquals(AGENT, Json.parse(json).get("timeline").get(0).get("user_agent").asText(),
        "the JSON keeps the value exactly");
  }

  @Test
  void investigatesTimelinePageIsInertToo() throws Exception {
    Path out = TestSpark.tempDir("report-investigate");
    CliRunner.Run run = CliRunner.run("investigate", "--lake", lakeDir.toString(), "--ip", IP, "--out",
        out.toString());
    assertEquals(0, run.code(), run.err());
    String dom = dom(out.resolve("timeline.html"));
    assertTrue(dom.contains("<title>Timeline of --ip " + IP + "</title>"), dom);
    assertFalse(dom.contains("<section id=\"summary\">"), "no incident summary on an ad hoc timeline");
    assertTrue(dom.contains("<section id=\"timeline\">") && dom.contains("<section id=\"rows\">"));
    assertInert(dom);
  }
}
