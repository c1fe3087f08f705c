package io.trailkeep.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.cli.CliRunner;
import io.trailkeep.correlate.CorrelateJob;
import io.trailkeep.detect.DetectFixtures;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.report.Notebook;
import io.trailkeep.testing.Browser;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every SQL cell of every notebook in {@code notebooks/} runs against a generated lake after
 * ingest, detect and correlate ({@link DetectFixtures}: every scenario of the catalog), with the
 * notebook's parameters set to that lake's leaked-key scenario, and returns rows; notebooks are
 * stored without outputs. A query that no longer analyzes (a renamed column) or finds nothing
 * fails here.
 */
class NotebookTest {
  private static final Map<String, String> VALUES = new LinkedHashMap<>();

  @BeforeAll
  static void lake() {
    Lake lake = DetectFixtures.lake();
    CorrelateJob.on(lake).execute();
    lake.registerViews(false);
    Map<String, JsonNode> truth = ScenarioCheck.groundTruth(lake, DetectFixtures.raw().toString());
    JsonNode leaked = truth.get("leaked-access-key").path("entities");
    String day = DetectFixtures.SCENARIO_DAY.toString();
    VALUES.put("trailkeep.from", day);
    VALUES.put("trailkeep.to", day);
    VALUES.put("trailkeep.principal", leaked.path("leaked_user_arn").asText());
    VALUES.put("trailkeep.access_key", leaked.path("leaked_access_key_id").asText());
    VALUES.put("trailkeep.instance", leaked.path("affected_instance_id").asText());
    VALUES.put("trailkeep.incident", IncidentCheck.check(lake, DetectFixtures.raw().toString()).stream()
        .filter(o -> o.scenario().equals("leaked-access-key")).findFirst().orElseThrow().incident());
  }

  static Stream<Path> notebooks() throws IOException {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("notebooks"))) {
      s.filter(p -> p.toString().endsWith(".ipynb")).sorted().forEach(all::add);
    }
    assertEquals(6, all.size(), "the six investigation notebooks");
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notebooks")
  void everySqlCellRunsAndReturnsRows(Path file) throws IOException {
    Notebook nb = Notebook.read(file);
    SparkSession spark = TestSpark.get();
    assertEquals(1, nb.parameterCells().size(), file + ": one parameter cell");
    int parameterCell = nb.cells().indexOf(nb.parameterCells().get(0));
    for (Map.Entry<String, String> p : nb.parameters().entrySet()) {
      assertTrue(VALUES.containsKey(p.getKey()), file + ": a parameter this test does not set: " + p.getKey());
      spark.conf().set(p.getKey(), VALUES.get(p.getKey()));
    }
    int queries = 0;
    for (int i = 0; i < nb.cells().size(); i++) {
      Notebook.Cell cell = nb.cells().get(i);
      assertFalse(cell.stored(), file + " is stored without outputs and execution counts");
      if (cell.kind().equals("sql")) {
        assertTrue(i > parameterCell || !cell.source().contains("${"), "parameters come in one cell at the top");
        long rows = spark.sql(cell.source()).count();
        assertTrue(rows > 0, file.getFileName() + ": no rows from\n" + cell.source());
        queries++;
      }
    }
    assertTrue(queries >= 2, file + " has queries");
  }

  @Test
  void theRenderedPagesShowEveryQuerysRowsInABrowser() throws Exception {
    Path out = TestSpark.tempDir("notebooks-html");
    List<String> args = new ArrayList<>(List.of("notebooks", "--lake", DetectFixtures.lake().root(), "--out",
        out.toString(), "--rows", "5", "--json"));
    for (Map.Entry<String, String> v : VALUES.entrySet()) {
      args.addAll(List.of("--param", v.getKey() + "=" + v.getValue()));
    }
    CliRunner.Run run = CliRunner.run(args.toArray(String[]::new));
    assertEquals(0, run.code(), run.out() + run.err());
    JsonNode summary = Json.parse(run.lastLine());
    assertEquals(0, summary.get("queries_failed").asLong(), summary.toString());
    assertEquals(6, summary.get("notebooks").size());
    for (JsonNode r : summary.get("notebooks")) {
      Notebook nb = Notebook.read(Path.of("notebooks", r.get("notebook").asText() + ".ipynb"));
      assertEquals(nb.queries().size(), r.get("queries").asInt(), r.toString());
      String dom = Browser.dom(Path.of(r.get("html").asText()));
      assertEquals(nb.queries().size(), count(dom, "<table>"), r + ": one table per query");
      assertEquals(nb.queries().size(), count(dom, "<pre class=\"sql\">"), r + ": every query is shown");
      assertEquals(0, count(dom, "class=\"error\""), r + ": no query failed");
      assertTrue(dom.contains("<h1>"), r + ": the notebook's title");
      for (String parameter : nb.parameters().keySet()) {
        assertTrue(dom.contains(VALUES.get(parameter)), r + ": the value of " + parameter + " is named");
      }
    }
    assertTrue(Browser.dom(out.resolve("index.html")).contains("05-incident-deep-dive.html"));
  }

  @Test
  void aHostileValueInAResultIsShownAsTextAndAFailingQueryIsReported() throws Exception {
    Path dir = TestSpark.tempDir("notebooks-hostile");
    String hostile = "<script>document.title='pwned'</script>";
    Files.writeString(dir.resolve("x.ipynb"), Json.write(Map.of("nbformat", 4, "nbformat_minor", 5,
        "metadata", Map.of(), "cells", List.of(
            Map.of("cell_type", "markdown", "metadata", Map.of(), "source", List.of("# Title <b>bold</b>")),
            Map.of("cell_type", "code", "metadata", Map.of(), "outputs", List.of(), "source", List.of("spark.conf.set(\"trailkeep.v\", \"" + hostile.replace("'", "") + "\")")),
            Map.of("cell_type", "code", "metadata", Map.of(), "outputs", List.of(),
                "source", List.of("%%sql\nSELECT eventName, '" + hostile.replace("'", "\\'")
                    + "' AS agent FROM cloudtrail LIMIT 1")),
            Map.of("cell_type", "code", "metadata", Map.of(), "outputs", List.of(),
                "source", List.of("%%sql\nSELECT no_such_column FROM cloudtrail"))))));
    Path out = TestSpark.tempDir("notebooks-hostile-out");
    CliRunner.Run run = CliRunner.run("notebooks", "--lake", DetectFixtures.lake().root(), "--dir", dir.toString(),
        "--out", out.toString(), "--json");
    assertEquals(1, run.code(), "a failed query makes the run partial: " + run.out() + run.err());
    assertEquals(1, Json.parse(run.lastLine()).get("queries_failed").asLong());
    String dom = Browser.dom(out.resolve("x.html"));
    assertFalse(dom.contains("pwned</title>"), "a script from the results ran");
    assertFalse(dom.contains("<script>"), "the value became an element");
    assertTrue(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), dom);
    assertTrue(dom.contains("Title &lt;b&gt;bold&lt;/b&gt;"), "markdown is shown as text");
    assertEquals(1, count(dom, "class=\"error\""), "the failing query is shown with its error");
    assertTrue(dom.contains("no_such_column"), dom);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
