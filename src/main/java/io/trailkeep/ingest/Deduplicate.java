package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.trailkeep.lake.Lake;
import io.trailkeep.spark.internal.InternalRows;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

/**
 * Finds the records of a batch that are already in the table, or earlier in the batch: rows equal
 * in identity, which is the format's key plus the content hash. Key columns compare null-safely,
 * so a record whose natural key is incomplete (a CloudTrail record without eventID) is identified
 * by the rest of its key and its content, and a rerun or re-delivery never doubles it.
 *
 * <p>Cost: one aggregation over the format's bucket columns alone (the batch's plus the table's in
 * the partitions the batch touches; none for a table the batch created) finds candidate repeats.
 * Usually there are none and that is all; otherwise one more job ranks the candidates' identity
 * rows. The table's columns are read detached from the Delta relation, so cached results here are
 * not re-planned by the appends that follow. Side effects: none (caches released by the caller).
 */
final class Deduplicate {
  static final String HASH = "record_hash";
  private static final List<String> PROVENANCE = List.of(ParsedRows.SOURCE_FILE,
      ParsedRows.SOURCE_POSITION);

  private Deduplicate() {}

  /**
   * What to drop and what was found. {@code drop} holds (source_file, source_position) of batch
   * rows to drop, null when there are none; {@code conflicts} counts complete keys for which this
   * batch brings content the table does not hold and that now have more than one content.
   */
  record Duplicates(Dataset<Row> drop, long dropped, long conflicts) {
    static final Duplicates NONE = new Duplicates(null, 0, 0);
  }

  /**
   * @param batch the batch's record rows (key, bucket, hash, provenance columns)
   * @param created whether the batch created the table (then nothing exists yet)
   * @param touched partition values that received records
   * @param release cached datasets the caller unpersists after the write
   */
  static Duplicates find(Lake lake, SourceFormat format, String table, Dataset<Row> batch,
      boolean created, Collection<Object> touched, List<Dataset<Row>> release) {
    List<String> key = format.dedupKey();
    if (key.isEmpty()) {
      return Duplicates.NONE;
    }
    boolean hashed = !format.contentColumns().isEmpty();
    List<String> bucket = format.dedupBucket();
    List<String> identity = new ArrayList<>(key);
    if (hashed) {
      identity.add(HASH);
    }
    Set<String> identityAndBucket = new LinkedHashSet<>(identity);
    identityAndBucket.addAll(bucket);
    Dataset<Row> existingBucket = null;
    Dataset<Row> existingIdentity = null;
    if (!created && !touched.isEmpty()) {
      Dataset<Row> read = lake.read(table).filter(col(format.partitionColumn()).isin(touched.toArray()));
      // planned now, detached from the Delta relation (see the class comment)
      existingBucket = InternalRows.detached(read.select(names(bucket)));
      existingIdentity = InternalRows.detached(read.select(names(identityAndBucket)));
    }
    Dataset<Row> allBuckets = batch.select(names(bucket));
    if (existingBucket != null) {
      allBuckets = allBuckets.union(existingBucket);
    }
    Dataset<Row> repeated = allBuckets.groupBy(names(bucket)).count().filter(col("count").gt(1))
        .drop("count").persist(StorageLevel.MEMORY_AND_DISK());
    release.add(repeated);
    if (repeated.count() == 0) {
      return Duplicates.NONE;
    }
    // identity rows of the candidates, the batch's (_b=1) and the table's (_b=0), ranked within
    // each identity with the table's rows first
    Set<String> selected = new LinkedHashSet<>(identity);
    selected.addAll(PROVENANCE);
    Dataset<Row> seen = semiJoinNullSafe(batch, repeated, bucket)
        .select(names(selected)).withColumn("_b", lit(1));
    if (existingIdentity != null) {
      List<Column> tableSide = new ArrayList<>();
      for (String c : selected) {
        tableSide.add(identity.contains(c) ? col(c)
            : lit(null).cast(batch.schema().apply(c).dataType()).alias(c));
      }
      seen = seen.union(semiJoinNullSafe(existingIdentity, repeated, bucket)
          .select(tableSide.toArray(new Column[0])).withColumn("_b", lit(0)));
    }
    seen = seen.persist(StorageLevel.MEMORY_AND_DISK());
    release.add(seen);
    Dataset<Row> ranked = seen
        .withColumn("_rn", row_number().over(Window.partitionBy(names(identity))
            .orderBy(col("_b"), col(ParsedRows.SOURCE_FILE), col(ParsedRows.SOURCE_POSITION))))
        .withColumn("_new", min(col("_b")).over(Window.partitionBy(names(identity))));
    Column isDrop = col("_rn").gt(1).and(col("_b").equalTo(1));
    Column complete = lit(true);
    for (String k : key) {
      complete = complete.and(col(k).isNotNull());
    }
    Column conflict = hashed && format.keyIdentifiesRecord()
        ? when(complete.and(countDistinct(col(HASH)).gt(1)).and(max(col("_new")).equalTo(1)), 1L)
            .otherwise(0L)
        : lit(0L);
    // one job counts drops and conflicts
    Row totals = ranked.groupBy(names(key))
        .agg(sum(when(isDrop, 1L).otherwise(0L)).alias("_drops"), conflict.alias("_conflict"))
        .agg(sum(col("_drops")), sum(col("_conflict"))).first();
    long dropped = totals.isNullAt(0) ? 0 : totals.getLong(0);
    long conflicts = totals.isNullAt(1) ? 0 : totals.getLong(1);
    return new Duplicates(dropped == 0 ? null
        : ranked.filter(isDrop).select(ParsedRows.SOURCE_FILE, ParsedRows.SOURCE_POSITION),
        dropped, conflicts);
  }

  /** Rows of {@code left} whose {@code columns} equal a row of {@code right}, nulls equal. */
  private static Dataset<Row> semiJoinNullSafe(Dataset<Row> left, Dataset<Row> right, List<String> columns) {
    Dataset<Row> l = left.as("l");
    Dataset<Row> r = right.as("r");
    Column on = lit(true);
    for (String c : columns) {
      on = on.and(col("l." + c).eqNullSafe(col("r." + c)));
    }
    return l.join(r, on, "left_semi");
  }

  static Column[] names(Collection<String> names) {
    Column[] out = new Column[names.size()];
    int i = 0;
    for (String n : names) {
      out[i++] = col(n);
    }
    return out;
  }
}
