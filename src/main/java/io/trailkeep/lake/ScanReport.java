package io.trailkeep.lake;

import io.trailkeep.spark.SessionSettings;
import io.trailkeep.spark.internal.PlanMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Files a query read versus the files of the tables it scanned: runs the query once with adaptive
 * execution off (so the plan is final; the setting is restored afterwards) and sums the file-scan
 * metrics ({@link PlanMetrics}). {@code bytes_read} is the size of the files opened. For Delta
 * tables the counts are files left after partition pruning and data skipping. The query must not
 * have been executed before; this costs one execution.
 */
public final class ScanReport {
  private ScanReport() {}

  private static String pathOnly(String uri) {
    String p = new Path(uri).toUri().getPath();
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** files_read, files_total, bytes_read and per-table details for {@code query} over {@code lake}. */
  public static Map<String, Object> of(Lake lake, Dataset<Row> query) {
    List<PlanMetrics.Scan> scans;
    try (SessionSettings settings = SessionSettings.on(lake.spark())) {
      settings.set("spark.sql.adaptive.enabled", "false");
      scans = PlanMetrics.scans(query);
    }
    long read = 0;
    long bytes = 0;
    long total = 0;
    Map<String, long[]> perTable = new LinkedHashMap<>();
    List<String> tables = lake.tables();
    for (PlanMetrics.Scan scan : scans) {
      read += scan.files();
      bytes += scan.bytes();
      String root = scan.root() == null ? null : pathOnly(scan.root());
      for (String t : tables) {
        if (root != null && root.equals(pathOnly(lake.pathOf(t)))) {
          long[] counts = perTable.computeIfAbsent(t, k -> new long[] {0, lake.read(k).inputFiles().length});
          counts[0] += scan.files();
        }
      }
    }
    // a table scanned twice (a union) counts its files once in the total
    Map<String, Object> byTable = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : perTable.entrySet()) {
      byTable.put(e.getKey(), Map.of("files_read", e.getValue()[0], "files_total", e.getValue()[1]));
      total += e.getValue()[1];
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("files_read", read);
    m.put("files_total", total);
    m.put("bytes_read", bytes);
    m.put("tables", byTable);
    return m;
  }
}
