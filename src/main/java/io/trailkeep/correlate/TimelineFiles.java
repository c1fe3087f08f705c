package io.trailkeep.correlate;

import io.trailkeep.json.Json;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Collected timeline rows as people read them: grouped (consecutive repeats of one action by one
 * actor on one target with one outcome collapse into a line with a count and a time span), and
 * written as {@code timeline.json} (an object with the query and the rows) and
 * {@code timeline.csv}. CSV cells that a spreadsheet would run as a formula (starting with
 * {@code = + - @}, tab or carriage return) are prefixed with a quote, since log content is
 * attacker-controlled. Cost: in the driver, linear in the rows. Side effects: the two files.
 */
public final class TimelineFiles {
  private TimelineFiles() {}

  /** Columns of a grouped line. */
  public static final StructType GROUPED = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("first", DataTypes.TimestampType, true),
      DataTypes.createStructField("last", DataTypes.TimestampType, true),
      DataTypes.createStructField("source", DataTypes.StringType, true),
      DataTypes.createStructField("actor", DataTypes.StringType, true),
      DataTypes.createStructField("action", DataTypes.StringType, true),
      DataTypes.createStructField("target", DataTypes.StringType, true),
      DataTypes.createStructField("source_ip", DataTypes.StringType, true),
      DataTypes.createStructField("outcome", DataTypes.StringType, true),
      DataTypes.createStructField("count", DataTypes.LongType, true)
  });

  private static final List<String> SAME = List.of("source", "actor", "action", "target", "source_ip", "outcome");

  /** Rows in time order to grouped lines ({@link #GROUPED}). */
  public static List<Row> grouped(List<Row> rows) {
    List<Row> out = new ArrayList<>();
    Row open = null;
    Timestamp first = null;
    Timestamp last = null;
    long count = 0;
    for (Row r : rows) {
      if (open != null && same(open, r)) {
        last = r.getAs("time");
        count += countOf(r);
        continue;
      }
      if (open != null) {
        out.add(line(open, first, last, count));
      }
      open = r;
      first = r.getAs("time");
      last = first;
      count = countOf(r);
    }
    if (open != null) {
      out.add(line(open, first, last, count));
    }
    return out;
  }

  private static boolean same(Row a, Row b) {
    for (String c : SAME) {
      if (!Objects.equals(a.getAs(c), b.getAs(c))) {
        return false;
      }
    }
    return true;
  }

  private static long countOf(Row r) {
    Object c = r.getAs("count");
    return c == null ? 1 : (Long) c;
  }

  private static Row line(Row r, Timestamp first, Timestamp last, long count) {
    return RowFactory.create(first, last, r.getAs("source"), r.getAs("actor"), r.getAs("action"),
        r.getAs("target"), r.getAs("source_ip"), r.getAs("outcome"), count);
  }

  /** A row as a JSON-ready map (times as ISO-8601 UTC, arrays as lists). */
  public static Map<String, Object> map(StructType schema, Row r) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < schema.size(); i++) {
      Object v = r.isNullAt(i) ? null
          : schema.fields()[i].dataType() instanceof org.apache.spark.sql.types.ArrayType ? r.getList(i) : r.get(i);
      m.put(schema.fields()[i].name(), v instanceof Timestamp ? ((Timestamp) v).toInstant().toString() : v);
    }
    return m;
  }

  /** Writes {@code timeline.json} and {@code timeline.csv} into {@code dir}, creating it. */
  public static void write(Path dir, StructType schema, List<Row> rows, String query) throws IOException {
    Files.createDirectories(dir);
    List<Map<String, Object>> maps = new ArrayList<>();
    for (Row r : rows) {
      maps.add(map(schema, r));
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("query", query);
    doc.put("rows", maps);
    Files.writeString(dir.resolve("timeline.json"), Json.pretty(doc) + "\n", StandardCharsets.UTF_8);
    try (Writer w = Files.newBufferedWriter(dir.resolve("timeline.csv"), StandardCharsets.UTF_8)) {
      w.write(csvLine(List.of(schema.fieldNames())));
      for (Map<String, Object> m : maps) {
        List<String> cells = new ArrayList<>();
        for (Object v : m.values()) {
          cells.add(v == null ? "" : String.valueOf(v));
        }
        w.write(csvLine(cells));
      }
    }
  }

  /** One RFC 4180 line: every cell quoted, quotes doubled, formula starts defused. */
  static String csvLine(List<String> cells) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      if (!c.isEmpty() && "=+-@\t\r".indexOf(c.charAt(0)) >= 0) {
        c = "'" + c;
      }
      b.append(i == 0 ? "" : ",").append('"').append(c.replace("\"", "\"\"")).append('"');
    }
    return b.append("\r\n").toString();
  }
}
