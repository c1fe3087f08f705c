package io.trailkeep.report;

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
 * <p>Cost: every SQL cell runs twice (a count and the first rows). Side effects: the lake's views
 * are registered in the session; the parameters are set in the session's configuration while a
 * notebook runs and restored after.
 */
public final class NotebookPages {
  private static final Template PAGE = Mustache.compiler().escapeHTML(true).nullValue("")
      .compile(TimelinePage.resource("report/notebook.html.mustache"));
  private static final Template INDEX = Mustache.compiler().escapeHTML(true).nullValue("")
      .compile(TimelinePage.resource("report/notebook-index.html.mustache"));

  private NotebookPages() {}

  /** One rendered notebook: its page, its SQL cells, the rows they returned, the ones that failed. */
  public record Rendered(String notebook, String html, int queries, long rows, List<String> failed) {}

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
    for (Notebook nb : notebooks) {
      Map<String, String> values = new LinkedHashMap<>(nb.parameters());
      for (Map.Entry<String, String> p : parameters.entrySet()) {
        values.computeIfPresent(p.getKey(), (k, v) -> p.getValue());
      }
      Map<String, String> before = new HashMap<>();
      for (Map.Entry<String, String> v : values.entrySet()) {
        before.put(v.getKey(), spark.conf().getOption(v.getKey()).getOrElse(() -> null));
        spark.conf().set(v.getKey(), v.getValue());
      }
      List<Map<String, Object>> cells = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      long rows = 0;
      int queries = 0;
      try {
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
              queries++;
              rows += query(spark, c.source(), maxRows, m);
              if (m.containsKey("error")) {
                failed.add("query " + queries + ": " + m.get("error"));
              }
            }
            default -> m.put("isPython", true);
          }
          cells.add(m);
        }
      } finally {
        for (Map.Entry<String, String> b : before.entrySet()) {
          if (b.getValue() == null) {
            spark.conf().unset(b.getKey());
          } else {
            spark.conf().set(b.getKey(), b.getValue());
          }
        }
      }
      Map<String, Object> page = new HashMap<>();
      page.put("title", nb.name());
      page.put("source", "notebooks/" + nb.name() + ".ipynb");
      page.put("lake", lake.root());
      page.put("params", values.entrySet().stream()
          .map(e -> Map.of("name", e.getKey(), "value", e.getValue())).toList());
      page.put("cells", cells);
      Path html = out.resolve(nb.name() + ".html");
      Files.writeString(html, PAGE.execute(page), StandardCharsets.UTF_8);
      done.add(new Rendered(nb.name(), html.toString(), queries, rows, List.copyOf(failed)));
      index.add(Map.of("title", nb.name(), "file", nb.name() + ".html", "queries", queries, "rows", rows,
          "failedCount", failed.size()));
    }
    Files.writeString(out.resolve("index.html"), INDEX.execute(Map.of("lake", lake.root(),
        "notebooks", index)), StandardCharsets.UTF_8);
    return done;
  }

  /** Runs one query into {@code cell} (columns, rows, shown; or error); returns its row count. */
  private static long query(SparkSession spark, String sql, int maxRows, Map<String, Object> cell) {
    try {
      Dataset<Row> d = spark.sql(sql);
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
