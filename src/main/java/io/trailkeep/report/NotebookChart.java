package io.trailkeep.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * An inline SVG bar chart for a notebook query whose result has a time column (a date, or a
 * timestamp counted per hour) and a count (the first whole-number column): the counts summed per
 * time, oldest first, at most {@value #MAX_BARS} bars. The chart is a map for the page template,
 * so every label is escaped like the rest of the page; no script. Cost: one Spark aggregation of
 * the query's result.
 */
public final class NotebookChart {
  static final int MAX_BARS = 200;
  private static final int WIDTH = 640;
  private static final int HEIGHT = 140;

  private NotebookChart() {}

  /** The chart of {@code result}, or null when it has no time column and count. */
  public static Map<String, Object> of(Dataset<Row> result) {
    int time = -1;
    boolean timestamp = false;
    int countAt = -1;
    StructField[] fields = result.schema().fields();
    for (int i = 0; i < fields.length; i++) {
      DataType t = fields[i].dataType();
      if (time < 0 && (t.equals(DataTypes.DateType) || t.equals(DataTypes.TimestampType))) {
        time = i;
        timestamp = t.equals(DataTypes.TimestampType);
      } else if (countAt < 0 && (t.equals(DataTypes.LongType) || t.equals(DataTypes.IntegerType))) {
        countAt = i;
      }
    }
    if (time < 0 || countAt < 0) {
      return null;
    }
    String count = fields[countAt].name();
    String timeName = fields[time].name();
    // by position: a result may name two columns alike, or name one with dots
    String[] positions = new String[fields.length];
    for (int i = 0; i < fields.length; i++) {
      positions[i] = "c" + i;
    }
    Dataset<Row> d = result.toDF(positions).select(col("c" + time).alias("t"), col("c" + countAt).alias("n"));
    if (timestamp) {
      d = d.withColumn("t", date_trunc("hour", col("t")));
    }
    List<Row> points = d.where(col("t").isNotNull()).groupBy("t").agg(sum("n").alias("n")).orderBy("t")
        .limit(MAX_BARS).collectAsList();
    if (points.size() < 2) {
      return null;
    }
    long max = 1;
    for (Row r : points) {
      max = Math.max(max, r.isNullAt(1) ? 0 : r.getLong(1));
    }
    double step = (double) WIDTH / points.size();
    List<Map<String, Object>> bars = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      Row r = points.get(i);
      long n = r.isNullAt(1) ? 0 : r.getLong(1);
      double h = Math.max(1, (double) n / max * HEIGHT);
      Map<String, Object> b = new HashMap<>();
      b.put("x", fmt(i * step));
      b.put("y", fmt(HEIGHT - h));
      b.put("w", fmt(Math.max(1, step - 1)));
      b.put("h", fmt(h));
      b.put("tip", label(r.get(0)) + ": " + n + " " + count);
      bars.add(b);
    }
    Map<String, Object> chart = new HashMap<>();
    chart.put("width", WIDTH);
    chart.put("height", HEIGHT);
    chart.put("bars", bars);
    chart.put("first", label(points.get(0).get(0)));
    chart.put("last", label(points.get(points.size() - 1).get(0)));
    chart.put("max", max);
    chart.put("what", count + " per " + (timestamp ? "hour" : timeName));
    return chart;
  }

  private static String label(Object time) {
    if (time instanceof java.sql.Timestamp ts) {
      return ts.toInstant().toString().substring(0, 16).replace('T', ' ');
    }
    return String.valueOf(time);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
