package io.trailkeep.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.json.Json;
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

/**
 * A notebook of {@code notebooks/} as TrailKeep reads it: markdown cells, {@code %%sql} cells (the
 * query after the magic) and other code cells (Python), in order, and the parameters its one
 * parameter cell sets ({@code spark.conf.set("trailkeep.<name>", "<value>")}), which the SQL cells
 * read as {@code ${trailkeep.<name>}} through Spark's variable substitution.
 */
public record Notebook(String name, List<Cell> cells) {
  /** A parameter assignment in a code cell. */
  public static final Pattern PARAMETER =
      Pattern.compile("spark\\.conf\\.set\\(\"([^\"]+)\", \"([^\"]*)\"\\)");

  /**
   * One cell. {@code kind}: {@code markdown}, {@code sql} (source without the magic line) or
   * {@code python}; {@code stored} whether the file holds outputs or an execution count for it.
   */
  public record Cell(String kind, String source, boolean stored) {}

  /** Reads an .ipynb file. */
  public static Notebook read(Path file) throws IOException {
    JsonNode nb = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    List<Cell> cells = new ArrayList<>();
    for (JsonNode c : nb.path("cells")) {
      StringBuilder b = new StringBuilder();
      c.path("source").forEach(l -> b.append(l.asText()));
      String text = b.toString();
      boolean stored = c.path("outputs").size() > 0 || !(c.path("execution_count").isNull()
          || c.path("execution_count").isMissingNode());
      if (c.path("cell_type").asText().equals("markdown")) {
        cells.add(new Cell("markdown", text, stored));
      } else if (text.startsWith("%%sql")) {
        cells.add(new Cell("sql", text.substring("%%sql".length()).trim(), stored));
      } else {
        cells.add(new Cell("python", text, stored));
      }
    }
    String name = file.getFileName().toString().replaceFirst("\\.ipynb$", "");
    return new Notebook(name, List.copyOf(cells));
  }

  /** Every notebook of a folder, by file name. */
  public static List<Notebook> readAll(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.filter(p -> p.toString().endsWith(".ipynb")).sorted().forEach(files::add);
    }
    List<Notebook> out = new ArrayList<>();
    for (Path f : files) {
      out.add(read(f));
    }
    return out;
  }

  /** The parameter cells (code cells that set parameters), in order. */
  public List<Cell> parameterCells() {
    return cells.stream().filter(c -> c.kind().equals("python") && PARAMETER.matcher(c.source()).find())
        .toList();
  }

  /** The parameters and their values as the notebook sets them. */
  public Map<String, String> parameters() {
    Map<String, String> m = new LinkedHashMap<>();
    for (Cell c : parameterCells()) {
      Matcher x = PARAMETER.matcher(c.source());
      while (x.find()) {
        m.put(x.group(1), x.group(2));
      }
    }
    return m;
  }

  /** The SQL cells' queries, in order. */
  public List<String> queries() {
    return cells.stream().filter(c -> c.kind().equals("sql")).map(Cell::source).toList();
  }
}
