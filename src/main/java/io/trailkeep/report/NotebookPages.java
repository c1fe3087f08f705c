package io.trailkeep.report;

import io.trailkeep.spark.internal.SqlStatements;
import static org.apache.spark.sql.functions.col;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import io.trailkeep.lake.Lake;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The notebooks rendered with their outputs to self-contained HTML for the docs: each notebook's
 * text, its code, and for every {@code %%sql} cell the query and its first rows (every value cast
 * to text), run against a lake with the notebook's own parameters (or those given). One page per
 * notebook plus {@code index.html}. Mustache escapes every value (the rows are log content, and
 * log content is hostile) and the pages allow no script. A query that fails is shown with its
 * error and reported; the others still run.
 *
 * <p>Parameters are bound to each query as named parameters ({@link NotebookQuery}), never put in
 * its text; those left empty take their values from the lake ({@link NotebookDefaults}) and the
 * page states each value and where it came from. A notebook whose query would write is refused
 * before any query runs.
 *
 * <p>Cost: every SQL cell runs twice (a count and the first rows), three times when it is charted
 * ({@link NotebookChart}); one defaults query per notebook with an empty parameter. Side effects:
 * the lake's read-only views are registered in the session.
 */
public final class NotebookPages {
  private static final Template PAGE = Mustache.compiler().escapeHTML(true).nullValue("")
      .compile(TimelinePage.resource("report/notebook.html.mustache"));
  private static final Template INDEX = Mustache.compiler().escapeHTML(true).nullValue("")
      .compile(TimelinePage.resource("report/notebook-index.html.mustache"));

  private NotebookPages() {}

  /** One rendered notebook: its page, its SQL cells, the rows they returned, the ones that failed. */
  /**
   * One rendered notebook: its page, its SQL cells, the rows they returned, the ones that failed,
   * the ones that returned no row ({@code query N}), and the parameter values used.
   */
  public record Rendered(String notebook, String html, int queries, long rows, List<String> failed,
      List<String> empty, Map<String, String> parameters) {}

  /**
   * Renders {@code notebooks} into {@code out} (created if missing).
   *
   * @param parameters values that replace the notebooks' own (by parameter name)
   * @param maxRows rows shown per query
   */
  public static List<Rendered> render(Lake lake, List<Notebook> notebooks, Map<String, String> parameters,
      int maxRows, Path out) throws IOException {
    SparkSession spark = lake.spark();
    lake.registerViews(false);
    Files.createDirectories(out);
    List<Rendered> done = new ArrayList<>();
    List<Map<String, Object>> index = new ArrayList<>();
    // notebooks are read-only, as sql is: every query is checked before any runs
    Map<Notebook, List<NotebookQuery>> compiled = new LinkedHashMap<>();
    for (Notebook nb : notebooks) {
      List<NotebookQuery> qs = new ArrayList<>();
      int i = 0;
      for (String sql : nb.queries()) {
        i++;
        NotebookQuery q;
        try {
          q = NotebookQuery.of(sql);
        } catch (io.trailkeep.conf.ConfException e) {
          throw new io.trailkeep.conf.ConfException(nb.name() + " query " + i + ": " + e.getMessage());
        }
        SqlStatements.Statement st;
        try {
          st = SqlStatements.classify(spark, q.text());
        } catch (SqlStatements.SyntaxError e) {
          qs.add(q);
          continue; // shown as the query's error when it runs
        }
        if (!st.readOnly()) {
          throw new io.trailkeep.conf.ConfException("notebooks is read-only and " + nb.name() + " query " + i
              + " writes (" + String.join(", ", st.writingNodes()) + "); nothing ran");
        }
        qs.add(q);
      }
      compiled.put(nb, qs);
    }
    for (Notebook nb : notebooks) {
      Map<String, String> stored = new LinkedHashMap<>(nb.parameters());
      Map<String, String> given = new LinkedHashMap<>();
      for (Map.Entry<String, String> p : parameters.entrySet()) {
        if (stored.containsKey(p.getKey())) {
          stored.put(p.getKey(), p.getValue());
          given.put(p.getKey(), p.getValue());
        }
      }
      Map<String, NotebookDefaults.Value> used = NotebookDefaults.fill(lake, stored, given);
      Map<String, String> values = new LinkedHashMap<>();
      used.forEach((k, v) -> values.put(k, v.value()));
      List<Map<String, Object>> cells = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      List<String> empty = new ArrayList<>();
      long rows = 0;
      int queries = 0;
      List<NotebookQuery> qs = compiled.get(nb);
      for (Notebook.Cell c : nb.cells()) {
        Map<String, Object> m = new HashMap<>();
        m.put("source", c.source());
        switch (c.kind()) {
          case "markdown" -> {
            m.put("isMarkdown", true);
            m.put("blocks", blocks(c.source()));
          }
          case "sql" -> {
            m.put("isSql", true);
            NotebookQuery q = qs.get(queries);
            queries++;
            long n = query(spark, q, values, maxRows, m);
            rows += n;
            if (m.containsKey("error")) {
              failed.add("query " + queries + ": " + m.get("error"));
            } else if (n == 0) {
              empty.add("query " + queries);
            }
          }
          default -> m.put("isPython", true);
        }
        cells.add(m);
      }
      Map<String, Object> page = new HashMap<>();
      page.put("title", nb.name());
      page.put("source", "notebooks/" + nb.name() + ".ipynb");
      page.put("lake", lake.root());
      page.put("params", used.entrySet().stream()
          .map(e -> Map.of("name", e.getKey(), "value", e.getValue().value(), "origin", e.getValue().origin()))
          .toList());
      page.put("cells", cells);
      Path html = out.resolve(nb.name() + ".html");
      Files.writeString(html, PAGE.execute(page), StandardCharsets.UTF_8);
      done.add(new Rendered(nb.name(), html.toString(), queries, rows, List.copyOf(failed), List.copyOf(empty),
          Map.copyOf(values)));
      index.add(Map.of("title", nb.name(), "file", nb.name() + ".html", "queries", queries, "rows", rows,
          "failedCount", failed.size()));
    }
    Files.writeString(out.resolve("index.html"), INDEX.execute(Map.of("lake", lake.root(),
        "notebooks", index)), StandardCharsets.UTF_8);
    return done;
  }

  /** Runs one query into {@code cell} (columns, rows, shown; or error); returns its row count. */
  private static long query(SparkSession spark, NotebookQuery q, Map<String, String> params, int maxRows,
      Map<String, Object> cell) {
    try {
      Dataset<Row> d = q.run(spark, params);
      // by position: a query may name two columns alike
      String[] positions = new String[d.columns().length];
      Column[] asText = new Column[positions.length];
      for (int i = 0; i < positions.length; i++) {
        positions[i] = "c" + i;
        asText[i] = col(positions[i]).cast("string");
      }
      Dataset<Row> text = d.toDF(positions).select(asText);
      long count = d.count();
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Row r : text.takeAsList(maxRows)) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < r.length(); i++) {
          values.add(r.isNullAt(i) ? "" : r.getString(i));
        }
        rows.add(Map.of("values", values));
      }
      Map<String, Object> chart = NotebookChart.of(d);
      if (chart != null) {
        cell.put("chart", chart);
      }
      cell.put("columns", List.of(d.columns()));
      cell.put("rows", rows);
      cell.put("shown", count <= maxRows ? count + (count == 1 ? " row" : " rows")
          : "first " + maxRows + " of " + count + " rows");
      return count;
    } catch (Exception e) {
      // the notebook's own mistakes (a query that does not parse or analyze) are shown; anything
      // else is ours or Spark's and fails the command
      if (!(e instanceof org.apache.spark.sql.AnalysisException)) {
        throw e;
      }
      String message = e.getMessage() == null ? e.toString() : e.getMessage().strip().lines().findFirst().orElse("");
      cell.put("error", message);
      return 0;
    }
  }

  /** Headings (#, ##, ###) and paragraphs of a markdown cell, as text. */
  static List<Map<String, Object>> blocks(String markdown) {
    List<Map<String, Object>> out = new ArrayList<>();
    StringBuilder para = new StringBuilder();
    for (String line : (markdown + "\n").split("\n", -1)) {
      String t = line.strip();
      int level = t.startsWith("### ") ? 3 : t.startsWith("## ") ? 2 : t.startsWith("# ") ? 1 : 0;
      if (level > 0 || t.isEmpty()) {
        if (para.length() > 0) {
          out.add(Map.of("p", true, "text", para.toString()));
          para.setLength(0);
        }
        if (level > 0) {
          out.add(Map.of("h" + level, true, "text", t.substring(level + 1).strip()));
        }
      } else {
        para.append(para.length() == 0 ? "" : " ").append(t);
      }
    }
    return out;
  }
}
