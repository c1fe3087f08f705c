package io.trailkeep.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.correlate.CorrelateJob;
import io.trailkeep.detect.DetectFixtures;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
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
  private static final Pattern PARAM = Pattern.compile("spark\\.conf\\.set\\(\"([^\"]+)\", \"([^\"]*)\"\\)");
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

  private static String source(JsonNode cell) {
    StringBuilder b = new StringBuilder();
    cell.path("source").forEach(l -> b.append(l.asText()));
    return b.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notebooks")
  void everySqlCellRunsAndReturnsRows(Path notebook) throws IOException {
    JsonNode nb = Json.parse(Files.readString(notebook, StandardCharsets.UTF_8));
    SparkSession spark = TestSpark.get();
    int queries = 0;
    boolean parametersSeen = false;
    for (JsonNode cell : nb.path("cells")) {
      if (!cell.path("cell_type").asText().equals("code")) {
        continue;
      }
      assertEquals(0, cell.path("outputs").size(), notebook + " is stored without outputs");
      assertTrue(cell.path("execution_count").isNull(), notebook + " is stored without execution counts");
      String text = source(cell);
      if (text.startsWith("%%sql")) {
        assertTrue(parametersSeen || !text.contains("${"), "parameters come in one cell at the top");
        String query = text.substring("%%sql".length()).trim();
        long rows = spark.sql(query).count();
        assertTrue(rows > 0, notebook.getFileName() + ": no rows from\n" + query);
        queries++;
      } else if (text.contains("spark.conf.set(")) {
        assertFalse(parametersSeen, notebook + ": one parameter cell");
        parametersSeen = true;
        Matcher m = PARAM.matcher(text);
        while (m.find()) {
          assertTrue(VALUES.containsKey(m.group(1)), notebook + ": a parameter this test does not set: " + m.group(1));
          spark.conf().set(m.group(1), VALUES.get(m.group(1)));
        }
      }
    }
    assertTrue(queries >= 2, notebook + " has queries");
  }
}
