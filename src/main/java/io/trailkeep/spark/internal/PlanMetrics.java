package io.trailkeep.spark.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The file scans of an executed query and what they read: runs the Dataset's own physical plan
 * once and reads the {@code numFiles} and {@code filesSize} metrics of every scan node.
 *
 * <p>Internal API, and what breaks on an upgrade: {@code queryExecution().executedPlan()},
 * {@link SparkPlan#metrics()}, {@code SQLMetric.value()} and {@link FileSourceScanExec}'s
 * {@code relation().location().rootPaths()} (all present in Spark 3.5 and 4). The metric names
 * {@code numFiles} and {@code filesSize} are Spark's file-scan metrics; Delta's scans report
 * files left after partition pruning and data skipping. Adaptive execution must be off while the
 * query runs (the caller sets it), so that the plan read here is the one that ran.
 */
public final class PlanMetrics {
  private PlanMetrics() {}

  /** One file scan: the table root it read (null when it has several roots), files and bytes. */
  public record Scan(String root, long files, long bytes) {}

  /** Runs {@code query} (which must not have run before) and returns its file scans. */
  public static List<Scan> scans(Dataset<Row> query) {
    // run this Dataset's own physical plan (count() would plan a new query)
    query.queryExecution().toRdd().count();
    SparkPlan plan = query.queryExecution().executedPlan();
    List<SparkPlan> nodes = new ArrayList<>();
    plan.foreach(new AbstractFunction1<SparkPlan, BoxedUnit>() {
      @Override
      public BoxedUnit apply(SparkPlan node) {
        if (node.metrics().contains("numFiles")) {
          nodes.add(node);
        }
        return BoxedUnit.UNIT;
      }
    });
    List<Scan> out = new ArrayList<>();
    for (SparkPlan scan : nodes) {
      long files = scan.metrics().apply("numFiles").value();
      long bytes = scan.metrics().contains("filesSize")
          ? scan.metrics().apply("filesSize").value() : 0;
      out.add(new Scan(rootOf(scan), files, bytes));
    }
    return out;
  }

  private static String rootOf(SparkPlan scan) {
    if (scan instanceof FileSourceScanExec) {
      Seq<Path> roots = ((FileSourceScanExec) scan).relation().location().rootPaths();
      if (roots.length() == 1) {
        return roots.apply(0).toString();
      }
    }
    return null;
  }
}
