package io.trailkeep.maintain;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import io.delta.tables.DeltaTable;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.MaintenanceState;
import io.trailkeep.schema.AccessKeyTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.spark.SessionSettings;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Keeps {@link AccessKeyTable cloudtrail_access_keys} in step with the {@code cloudtrail} table:
 * the rows of the given days are replaced by a fresh aggregation of those days (one Delta commit),
 * and when the index has gathered more than {@value #MAX_FILES} files it is compacted into files
 * ordered by key so that a lookup reads one of them. Cost: one aggregation over the given days of
 * {@code cloudtrail}, plus an occasional rewrite of the (small) index.
 */
final class AccessKeyIndex {
  static final int MAX_FILES = 8;

  private AccessKeyIndex() {}

  /**
   * Rebuilds the index rows of {@code days} ({@code yyyy-MM-dd}); every day of {@code cloudtrail}
   * while the index has never been filled, so a run that died half-way cannot leave it partial.
   */
  static int rebuild(Lake lake, Set<String> days, long targetFileBytes, Progress progress,
      SessionSettings settings) {
    lake.ensure(AccessKeyTable.NAME, AccessKeyTable.SCHEMA, null, Map.of());
    // version 0 is the empty table: never filled (or a run died before its first write)
    boolean fresh = MaintenanceState.currentVersion(lake, AccessKeyTable.NAME) == 0;
    Dataset<Row> events = lake.read(CloudTrailTable.NAME);
    Set<String> rebuilt = fresh
        ? MaintenanceState.addedPartitions(lake, CloudTrailTable.NAME, Optional.empty())
        : new TreeSet<>(days);
    if (rebuilt.isEmpty()) {
      return 0;
    }
    Column inDays = col(CloudTrailTable.PARTITION_COLUMN).isin(dates(rebuilt));
    Dataset<Row> rows = events.filter(inDays.and(col("access_key_id").isNotNull()))
        .groupBy(col("access_key_id"), col("actor_principal"), col("account_id"),
            col(CloudTrailTable.PARTITION_COLUMN))
        .agg(count(lit(1)).as("events"), min("eventTime").as("first_seen"), max("eventTime").as("last_seen"))
        .select(Arrays.stream(AccessKeyTable.SCHEMA.fieldNames()).map(c -> col(c))
            .toArray(Column[]::new));
    rows.repartition(1).sortWithinPartitions(AccessKeyTable.SORT.stream().map(c -> col(c)).toArray(Column[]::new))
        .write().format("delta").mode("overwrite")
        .option("replaceWhere", MaintenanceState.dayPredicate(rebuilt))
        .save(lake.pathOf(AccessKeyTable.NAME));
    progress.info("maintain %s: rebuilt %d days", AccessKeyTable.NAME, rebuilt.size());
    if (lake.read(AccessKeyTable.NAME).inputFiles().length > MAX_FILES) {
      settings.set("spark.databricks.delta.optimize.maxFileSize", String.valueOf(targetFileBytes));
      DeltaTable.forPath(lake.spark(), lake.pathOf(AccessKeyTable.NAME)).optimize()
          .executeZOrderBy("access_key_id");
      progress.info("maintain %s: compacted", AccessKeyTable.NAME);
    }
    return rebuilt.size();
  }

  /** Days before {@code cutoff} the index has rows for (retention may have emptied them). */
  static Set<String> daysBefore(Lake lake, LocalDate cutoff) {
    Set<String> out = new TreeSet<>();
    if (!lake.exists(AccessKeyTable.NAME)) {
      return out;
    }
    for (Row r : lake.read(AccessKeyTable.NAME)
        .filter(col(CloudTrailTable.PARTITION_COLUMN).lt(lit(Date.valueOf(cutoff))))
        .select(CloudTrailTable.PARTITION_COLUMN).distinct().collectAsList()) {
      out.add(r.getDate(0).toString());
    }
    return out;
  }

  private static Object[] dates(Set<String> days) {
    List<Date> out = new ArrayList<>();
    for (String d : days) {
      out.add(Date.valueOf(d));
    }
    return out.toArray();
  }
}
