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
import io.trailkeep.report.NotebookDefaults;
import io.trailkeep.report.NotebookQuery;
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
      assertEquals("", p.getValue(), file + ": " + p.getKey() + " is left empty, to be taken from the lake");
    }
    // the setup cell holds the defaults query word for word, as the renderer runs it
    assertTrue(nb.cells().get(1).source().contains(NotebookDefaults.SQL), file + ": the setup cell's DEFAULTS_SQL");
    int queries = 0;
    for (int i = 0; i < nb.cells().size(); i++) {
      Notebook.Cell cell = nb.cells().get(i);
      assertFalse(cell.stored(), file + " is stored without outputs and execution counts");
      if (cell.kind().equals("sql")) {
        assertTrue(i > parameterCell || !cell.source().contains("${"), "parameters come in one cell at the top");
        long rows = NotebookQuery.of(cell.source()).run(spark, VALUES).count();
        assertTrue(rows > 0, file.getFileName() + ": no rows from\n" + cell.source());
        queries++;
      }
    }
    assertTrue(queries >= 2, file + " has queries");
  }

  /** A one-query notebook in a folder of its own. */
  private static Path notebook(String parameterValue, String sql) throws IOException {
    Path dir = TestSpark.tempDir("notebooks-one");
    Files.writeString(dir.resolve("q.ipynb"), Json.write(Map.of("nbformat", 4, "nbformat_minor", 5,
        "metadata", Map.of(), "cells", List.of(
            Map.of("cell_type", "code", "metadata", Map.of(), "outputs", List.of(),
                "source", List.of("spark.conf.set(\"trailkeep.v\", \"" + parameterValue + "\")")),
            Map.of("cell_type", "code", "metadata", Map.of(), "outputs", List.of(),
                "source", List.of("%%sql\n" + sql))))));
    return dir;
  }

  @Test
  void parametersAreBoundSoAQuoteChangesNoResult() throws Exception {
    String sql = "SELECT eventName FROM cloudtrail WHERE eventName = '${trailkeep.v}'";
    Path dir = notebook("x", sql);
    List<Long> rows = new ArrayList<>();
    for (String value : List.of("x", "x' OR '1'='1", "${env:HOME}")) {
      CliRunner.Run run = CliRunner.run("notebooks", "--lake", DetectFixtures.lake().root(), "--dir", dir.toString(),
          "--out", TestSpark.tempDir("notebooks-bound").toString(), "--param", "trailkeep.v=" + value, "--json");
      assertEquals(0, run.code(), run.out() + run.err());
      rows.add(Json.parse(run.lastLine()).get("notebooks").get(0).get("rows").asLong());
    }
    assertEquals(List.of(0L, 0L, 0L), rows, "the value is compared, never read as SQL");
    CliRunner.Run real = CliRunner.run("notebooks", "--lake", DetectFixtures.lake().root(), "--dir", dir.toString(),
        "--out", TestSpark.tempDir("notebooks-bound").toString(), "--param", "trailkeep.v=ConsoleLogin", "--json");
    assertTrue(Json.parse(real.lastLine()).get("notebooks").get(0).get("rows").asLong() > 0, real.out());
  }

  @Test
  void notebooksIsReadOnlyAndRefusesPlaceholdersItCannotBind() throws Exception {
    Lake lake = DetectFixtures.lake();
    long before = lake.read("cloudtrail").count();
    CliRunner.Run delete = CliRunner.run("notebooks", "--lake", lake.root(), "--dir",
        notebook("x", "DELETE FROM delta.`" + lake.pathOf("cloudtrail") + "` WHERE eventName = '${trailkeep.v}'").toString(),
        "--out", TestSpark.tempDir("notebooks-ro").toString());
    assertEquals(2, delete.code(), delete.out() + delete.err());
    assertTrue(delete.err().startsWith("trailkeep: notebooks is read-only and q query 1 writes ("), delete.err());
    assertEquals(before, lake.read("cloudtrail").count(), "nothing was deleted");
    CliRunner.Run spliced = CliRunner.run("notebooks", "--lake", lake.root(), "--dir",
        notebook("x", "SELECT eventName FROM cloudtrail WHERE eventName LIKE '%${trailkeep.v}%'").toString(),
        "--out", TestSpark.tempDir("notebooks-ro").toString());
    assertEquals(2, spliced.code(), spliced.out() + spliced.err());
    assertTrue(spliced.err().contains("is not a whole string literal"), spliced.err());
  }

  /**
   * Rendered with no parameter, as a new user runs it: every query of every notebook finds rows
   * from what the lake holds, each page shows every query with its table, states the value used for
   * each parameter and where it came from, and the overview draws its daily counts.
   */
  @Test
  void withoutParametersEveryQueryFindsRowsAndThePagesShowThemInABrowser() throws Exception {
    Path out = TestSpark.tempDir("notebooks-html");
    CliRunner.Run run = CliRunner.run("notebooks", "--lake", DetectFixtures.lake().root(), "--out",
        out.toString(), "--rows", "5", "--json");
    assertEquals(0, run.code(), run.out() + run.err());
    JsonNode summary = Json.parse(run.lastLine());
    assertEquals(0, summary.get("queries_failed").asLong(), summary.toString());
    assertEquals(6, summary.get("notebooks").size());
    for (JsonNode r : summary.get("notebooks")) {
      assertEquals(0, r.get("empty").size(), r.toString());
      Notebook nb = Notebook.read(Path.of("notebooks", r.get("notebook").asText() + ".ipynb"));
      assertEquals(nb.queries().size(), r.get("queries").asInt(), r.toString());
      String dom = Browser.dom(Path.of(r.get("html").asText()));
      assertEquals(nb.queries().size(), count(dom, "<table>"), r + ": one table per query");
      assertEquals(nb.queries().size(), count(dom, "<pre class=\"sql\">"), r + ": every query is shown");
      assertEquals(0, count(dom, "class=\"error\""), r + ": no query failed");
      assertTrue(dom.contains("<h1>"), r + ": the notebook's title");
      for (String parameter : nb.parameters().keySet()) {
        String value = r.get("parameters").get(parameter).asText();
        assertFalse(value.isEmpty(), r + ": " + parameter + " has a value from the lake");
        assertTrue(dom.contains("<code>" + parameter + " = " + value + "</code>"), r + ": the value used is stated");
      }
      assertTrue(dom.contains(nb.parameters().containsKey("trailkeep.principal")
          || nb.parameters().containsKey("trailkeep.incident") || nb.parameters().containsKey("trailkeep.instance")
          ? "(from the lake: incident inc-" : "(from the lake: its last seven days)"), r + ": and where it came from");
    }
    String overview = Browser.dom(out.resolve("01-lake-overview.html"));
    assertTrue(count(overview, "<svg") >= 1, "a time column and a count make a chart");
    assertTrue(overview.contains("<rect class=\"bar\""), overview);
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
