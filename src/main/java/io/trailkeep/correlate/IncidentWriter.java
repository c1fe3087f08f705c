package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import io.trailkeep.lake.Lake;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.StructType;

/**
 * Persists incidents so that only what changed is rewritten: fingerprints of the stored and the
 * new rows per incident, and one replacing commit per table on the ids whose row or timeline
 * differs; every other incident keeps its files.
 *
 * <p>Cost: one hash aggregation per table, collected (one value per incident); one write per
 * table. Side effects: incidents and incident_timeline.
 */
final class IncidentWriter {
  private IncidentWriter() {}

  static final Pattern INCIDENT_ID = Pattern.compile("inc-[0-9a-f]{16}");

  /**
   * True when {@code table} exists with the columns of {@code schema}, by name and type in order
   * (an older TrailKeep's has others); nullability aside, which differs between a table written
   * from a query plan and an empty frame of the declared schema.
   */
  static boolean sameSchema(Lake lake, String table, StructType schema) {
    return lake.exists(table) && columns(lake.read(table).schema()).equals(columns(schema));
  }

  private static List<String> columns(StructType schema) {
    return Arrays.stream(schema.fields()).map(f -> f.name() + ":" + f.dataType().simpleString()).toList();
  }

  /**
   * Writes the rows of the {@code touched} incidents to {@code table} in one commit that replaces
   * exactly those incidents' rows; every other incident's rows stay as they are (same files, same
   * contents). A table that does not exist yet, or has another schema (an older TrailKeep), is
   * written whole, which only {@code complete} rows (every incident) may do.
   */
  static void write(Lake lake, String table, Dataset<Row> rows, Set<String> touched, boolean complete) {
    if (!sameSchema(lake, table, rows.schema())) {
      if (!complete) {
        throw new IllegalStateException(table + " must be rewritten whole, but this run rebuilt only some incidents");
      }
      rows.write().format("delta").mode(SaveMode.Overwrite).option("overwriteSchema", "true")
          .save(lake.pathOf(table));
      return;
    }
    StringBuilder predicate = new StringBuilder("incident_id IN (");
    int n = 0;
    for (String id : touched) {
      // ids are ours (inc- and hex digits); checked anyway before they enter the predicate text
      if (!INCIDENT_ID.matcher(id).matches()) {
        throw new IllegalStateException("not an incident id: " + id);
      }
      predicate.append(n++ == 0 ? "'" : ", '").append(id).append("'");
    }
    rows.filter(col("incident_id").isin(touched.toArray())).write().format("delta").mode(SaveMode.Overwrite)
        .option("replaceWhere", predicate.append(")").toString()).save(lake.pathOf(table));
  }

  /** Adds to {@code out} the keys of either map whose values differ (or that one map lacks). */
  static void differing(Map<String, ?> a, Map<String, ?> b, Set<String> out) {
    Set<String> ids = new TreeSet<>(a.keySet());
    ids.addAll(b.keySet());
    for (String id : ids) {
      if (!java.util.Objects.equals(a.get(id), b.get(id))) {
        out.add(id);
      }
    }
  }

  /** Per incident id, the count and hash sum of its timeline rows. */
  static Map<String, List<Long>> timelineFingerprints(Dataset<Row> rows) {
    Column[] all = Arrays.stream(rows.columns()).sorted().map(c -> col(c)).toArray(Column[]::new);
    Map<String, List<Long>> out = new TreeMap<>();
    for (Row r : rows.groupBy("incident_id").agg(count(lit(1)), sum(xxhash64(all).cast("decimal(38,0)")))
        .collectAsList()) {
      out.put(r.getString(0), List.of(r.getLong(1), r.isNullAt(2) ? 0L : r.getDecimal(2).longValue()));
    }
    return out;
  }

  /** Per incident id, a hash of its row; empty when the table does not exist. */
  static Map<String, Long> fingerprints(Lake lake, String table, String id) {
    return lake.exists(table) ? fingerprints(lake.read(table), id) : Map.of();
  }

  static Map<String, Long> fingerprints(Dataset<Row> rows, String id) {
    Map<String, Long> out = new TreeMap<>();
    Column[] all = Arrays.stream(rows.columns()).sorted().map(c -> col(c)).toArray(Column[]::new);
    for (Row r : rows.select(col(id), xxhash64(all)).collectAsList()) {
      out.put(r.getString(0), r.getLong(1));
    }
    return out;
  }
}
