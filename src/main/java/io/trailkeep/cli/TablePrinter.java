package io.trailkeep.cli;

import io.trailkeep.job.TerminalText;
import java.io.PrintWriter;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructType;

/**
 * Prints rows as an aligned text table or as JSON Lines. Table cells are terminal-safe
 * ({@link TerminalText}) and cut at a width limit; JSON Lines are exact (the encoder escapes
 * control characters).
 */
final class TablePrinter {
  private static final int MAX_CELL = 60;

  private TablePrinter() {}

  /**
   * One JSON object per row (all rows) with {@code json}, else a table of the first {@code limit}.
   * Returns the rows printed.
   */
  static long rows(PrintWriter out, Dataset<Row> rows, boolean json, int limit) {
    long n = 0;
    if (json) {
      Iterator<String> it = rows.toJSON().toLocalIterator();
      while (it.hasNext()) {
        out.println(it.next());
        n++;
      }
    } else {
      List<Row> shown = rows.limit(limit).collectAsList();
      table(out, rows.schema(), shown);
      n = shown.size();
    }
    return n;
  }

  /**
   * Says that a lookup found nothing and what would: on stdout after a table, on stderr with
   * {@code --json} (whose stdout holds rows only).
   */
  static void nothingFound(PrintWriter out, PrintWriter err, boolean json, String what, String hint) {
    String line = "nothing found for " + what + (hint == null ? "" : "; " + hint);
    if (json) {
      err.println("trailkeep: " + TerminalText.safe(line));
      err.flush();
    } else {
      out.println(TerminalText.safe(line));
    }
  }

  static void table(PrintWriter out, StructType schema, List<Row> rows) {
    String[] names = schema.fieldNames();
    int[] widths = new int[names.length];
    List<String[]> cells = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      widths[i] = names[i].length();
    }
    for (Row r : rows) {
      String[] c = new String[names.length];
      for (int i = 0; i < names.length; i++) {
        Object o = r.isNullAt(i) ? null
            : schema.fields()[i].dataType() instanceof ArrayType
                ? r.getList(i) : r.get(i);
        String v = o == null ? "null" : o instanceof Timestamp
            ? ((Timestamp) o).toInstant().toString() : String.valueOf(o);
        // log content is hostile: control characters (ANSI escapes too) are shown, never sent
        v = TerminalText.safe(v);
        c[i] = v.length() > MAX_CELL ? v.substring(0, MAX_CELL - 3) + "..." : v;
        widths[i] = Math.max(widths[i], c[i].length());
      }
      cells.add(c);
    }
    StringBuilder sep = new StringBuilder("+");
    for (int w : widths) {
      sep.append("-".repeat(w + 2)).append('+');
    }
    out.println(sep);
    out.println(line(names, widths));
    out.println(sep);
    for (String[] c : cells) {
      out.println(line(c, widths));
    }
    out.println(sep);
    out.println(rows.size() + (rows.size() == 1 ? " row" : " rows"));
  }

  private static String line(String[] c, int[] widths) {
    StringBuilder b = new StringBuilder("|");
    for (int i = 0; i < c.length; i++) {
      b.append(' ').append(c[i]).append(" ".repeat(widths[i] - c[i].length())).append(" |");
    }
    return b.toString();
  }
}
