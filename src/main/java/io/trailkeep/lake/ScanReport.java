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
 * {@code bytes_read} sums the scans' {@code filesSize} metric (the size of the files opened).
 * For Delta tables that metric counts files left after partition pruning and data skipping. This
 * is the one place TrailKeep reads physical-plan metrics (a developer API present in Spark 3.5
 * and 4); it runs the query, so it costs one execution.
 */
public final class ScanReport {
  private ScanReport() {}

  /** The path of the table a file scan reads (its single root), or null. */
  private static String rootOf(SparkPlan scan) {
    if (scan instanceof org.apache.spark.sql.execution.FileSourceScanExec) {
      scala.collection.Seq<org.apache.hadoop.fs.Path> roots =
          ((org.apache.spark.sql.execution.FileSourceScanExec) scan).relation().location().rootPaths();
      if (roots.length() == 1) {
        return pathOnly(roots.apply(0).toString());
      }
    }
    return null;
  }

  private static String pathOnly(String uri) {
    String p = new org.apache.hadoop.fs.Path(uri).toUri().getPath();
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** files_read, files_total, bytes_read and per-table details for {@code query} over {@code lake}. */
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
    long bytes = 0;
    long total = 0;
    Map<String, long[]> perTable = new LinkedHashMap<>();
    for (SparkPlan scan : scans) {
      long files = ((org.apache.spark.sql.execution.metric.SQLMetric) scan.metrics().apply("numFiles")).value();
      read += files;
      if (scan.metrics().contains("filesSize")) {
        bytes += ((org.apache.spark.sql.execution.metric.SQLMetric) scan.metrics().apply("filesSize")).value();
      }
      String root = rootOf(scan);
      for (String t : lake.tables()) {
        if (root != null && root.equals(pathOnly(lake.pathOf(t)))) {
          long[] counts = perTable.computeIfAbsent(t, k -> new long[] {0, lake.read(k).inputFiles().length});
          counts[0] += files;
        }
      }
    }
    // a table scanned twice (a union) counts its files once in the total
    Map<String, Object> tables = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : perTable.entrySet()) {
      tables.put(e.getKey(), Map.of("files_read", e.getValue()[0], "files_total", e.getValue()[1]));
      total += e.getValue()[1];
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("files_read", read);
    m.put("files_total", total);
    m.put("bytes_read", bytes);
    m.put("tables", tables);
    return m;
  }
}
