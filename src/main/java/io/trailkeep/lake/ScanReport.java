package io.trailkeep.lake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Files a query read versus the files of the tables it scanned: runs the query once with adaptive
 * execution off (so the plan is final) and sums the {@code numFiles} metric of its file scans. The
 * query must not have been executed before (its physical plan is fixed at first execution).
 * For Delta tables that metric counts files left after partition pruning and data skipping. This
 * is the one place TrailKeep reads physical-plan metrics (a developer API present in Spark 3.5
 * and 4); it runs the query, so it costs one execution.
 */
public final class ScanReport {
  private ScanReport() {}

  /** files_read, files_total and per-table details for {@code query} over {@code lake}. */
  public static Map<String, Object> of(Lake lake, Dataset<Row> query) {
    SparkSession spark = lake.spark();
    String aqe = spark.conf().get("spark.sql.adaptive.enabled", "true");
    spark.conf().set("spark.sql.adaptive.enabled", "false");
    List<SparkPlan> scans = new ArrayList<>();
    try {
      // run this Dataset's own physical plan (count() would plan a new query)
      query.queryExecution().toRdd().count();
      SparkPlan plan = query.queryExecution().executedPlan();
      plan.foreach(new AbstractFunction1<SparkPlan, BoxedUnit>() {
        @Override
        public BoxedUnit apply(SparkPlan node) {
          if (node.metrics().contains("numFiles")) {
            scans.add(node);
          }
          return BoxedUnit.UNIT;
        }
      });
    } finally {
      spark.conf().set("spark.sql.adaptive.enabled", aqe);
    }
    long read = 0;
    long total = 0;
    Map<String, Object> tables = new LinkedHashMap<>();
    for (SparkPlan scan : scans) {
      long files = ((org.apache.spark.sql.execution.metric.SQLMetric) scan.metrics().apply("numFiles")).value();
      read += files;
      String text = scan.toString();
      for (String t : lake.tables()) {
        if (text.contains(lake.pathOf(t) + "]") || text.contains(lake.pathOf(t) + ",")) {
          long all = lake.read(t).inputFiles().length;
          total += all;
          tables.put(t, Map.of("files_read", files, "files_total", all));
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("files_read", read);
    m.put("files_total", total);
    m.put("tables", tables);
    return m;
  }
}
