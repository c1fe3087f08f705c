package io.trailkeep.report;

import io.trailkeep.conf.ConfException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A notebook's SQL cell as it runs: the cell names its parameters as whole string literals
 * ({@code '${trailkeep.principal}'}, which Spark's variable substitution fills in EMR Studio and
 * Glue notebooks); here each becomes a named parameter marker ({@code :principal}) and its value is
 * bound, never spliced into the text. A placeholder anywhere else (inside a longer string, in a
 * comment, unquoted) is refused, so no value can reach the SQL text by another way. No side
 * effects; {@link #run} is one Spark query.
 *
 * @param text the SQL with markers
 * @param parameters the parameter names the cell uses, in order of first use (with the
 *     {@code trailkeep.} prefix, as the notebooks and {@code --param} name them)
 */
public record NotebookQuery(String text, List<String> parameters) {
  /** The prefix of the notebooks' parameter names. */
  public static final String PREFIX = "trailkeep.";
  private static final Pattern LITERAL = Pattern.compile("'\\$\\{trailkeep\\.([a-z][a-z0-9_]*)\\}'");

  /** Turns a cell's placeholders into markers; a placeholder left in any other form is refused. */
  public static NotebookQuery of(String cell) {
    Matcher m = LITERAL.matcher(cell);
    StringBuilder out = new StringBuilder();
    List<String> names = new ArrayList<>();
    while (m.find()) {
      String name = PREFIX + m.group(1);
      if (!names.contains(name)) {
        names.add(name);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(":" + m.group(1)));
    }
    m.appendTail(out);
    String text = out.toString();
    if (text.contains("${")) {
      throw new ConfException("a notebook query uses a ${...} placeholder that is not a whole string literal "
          + "('${trailkeep.NAME}'), so its value cannot be bound: " + firstLine(text.substring(text.indexOf("${"))));
    }
    return new NotebookQuery(text, List.copyOf(names));
  }

  /** Runs the query with {@code values} (by full parameter name) bound to its markers. */
  public Dataset<Row> run(SparkSession spark, Map<String, String> values) {
    Map<String, Object> args = new LinkedHashMap<>();
    for (String p : parameters) {
      String v = values.get(p);
      if (v == null) {
        throw new ConfException("the notebook query needs the parameter " + p + ", which has no value");
      }
      args.put(p.substring(PREFIX.length()), v);
    }
    return spark.sql(text, args);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
