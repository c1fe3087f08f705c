package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.PrincipalRef;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.MaintenanceState;
import io.trailkeep.schema.AccessKeyTable;
import io.trailkeep.schema.CloudTrailTable;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * "Everything one access key (or one principal) did": the CloudTrail events of one actor over a
 * range of days, built so that Delta skips the files the actor is not in.
 *
 * <p>A principal filter skips directly (maintain sorts each day by principal). A key filter alone
 * would not (keys are random strings, so every file's key range is wide); the query therefore
 * looks the key up in {@link AccessKeyTable cloudtrail_access_keys} and adds the principals and
 * days found there as filters. Days whose files changed since the index was built (ingested after
 * the last maintain) are read with the key filter alone, so the result is always complete: the
 * index narrows the scan, it never decides which events exist.
 *
 * <p>Cost, for a key: the index read and the maintenance-state read run side by side as two small
 * Spark jobs (a second thread for the index), plus a listing of {@code cloudtrail}'s log, when
 * planning; a principal costs no job until the returned Dataset is used. No side effects.
 */
public final class ActivityQuery {
  private final Lake lake;
  private String accessKey;
  private PrincipalRef principal;
  private LocalDate from;
  private LocalDate to;

  private ActivityQuery(Lake lake) {
    this.lake = lake;
  }

  public static ActivityQuery on(Lake lake) {
    return new ActivityQuery(lake);
  }

  /** The access key id whose events to return. One of this or {@link #principal} is required. */
  public ActivityQuery accessKey(String id) {
    this.accessKey = id;
    return this;
  }

  /**
   * The principal whose events to return, in any form {@link PrincipalRef} takes (an IAM user or
   * role ARN, a session ARN: that session only, a principal id, ...); null for none.
   */
  public ActivityQuery principal(String text) {
    this.principal = text == null ? null : PrincipalRef.parse("--principal", text);
    return this;
  }

  /** The CloudTrail filter of one principal reference (see {@link PrincipalRef.Kind#column()}). */
  public static Column principalFilter(PrincipalRef ref) {
    Column v = lit(ref.value());
    return switch (ref.kind()) {
      // the session's own ARN; the role condition lets Delta skip files by actor_principal
      case SESSION -> col("userIdentity.arn").equalTo(v).and(roleFilter(ref));
      case ROLE_SESSIONS -> roleFilter(ref);
      case PRINCIPAL_ID -> col("userIdentity.principalId").equalTo(v);
      case ROLE_ID -> col("userIdentity.sessionContext.sessionIssuer.principalId").equalTo(v);
      default -> col("actor_principal").equalTo(v);
    };
  }

  /** The role of a session form, with or without a path (the session ARN does not show it). */
  private static Column roleFilter(PrincipalRef ref) {
    String prefix = "arn:" + ref.partition() + ":iam::" + ref.account() + ":role/";
    return col("actor_principal").equalTo(lit(ref.roleArn()))
        .or(col("actor_principal").startsWith(prefix).and(col("actor_principal").endsWith("/" + ref.roleName())));
  }

  /** First day (UTC, inclusive). Default: no lower bound. */
  public ActivityQuery from(LocalDate day) {
    this.from = day;
    return this;
  }

  /** Last day (UTC, inclusive). Default: no upper bound. */
  public ActivityQuery to(LocalDate day) {
    this.to = day;
    return this;
  }

  /** The planned query and how it was narrowed. Immutable. */
  public record Plan(Dataset<Row> events, boolean indexUsed, List<String> principals,
      int indexedDays, int unindexedDays) {}

  public Plan plan() {
    if ((accessKey == null) == (principal == null)) {
      throw new ConfException("give exactly one of an access key id or a principal ARN");
    }
    if (from != null && to != null && from.isAfter(to)) {
      throw new ConfException("the first day " + from + " is after the last day " + to);
    }
    if (!lake.exists(CloudTrailTable.NAME)) {
      throw new ConfException("no cloudtrail table under " + lake.root() + "; run 'trailkeep ingest' first");
    }
    Dataset<Row> table = lake.read(CloudTrailTable.NAME);
    Column days = dayRange();
    if (principal != null) {
      return new Plan(table.filter(days.and(principalFilter(principal))), false,
          List.of(principal.value()), 0, 0);
    }
    Column byKey = days.and(col("access_key_id").equalTo(accessKey));
    if (!lake.exists(AccessKeyTable.NAME)) {
      return new Plan(table.filter(byKey), false, List.of(), 0, -1);
    }
    // the index rows and the maintenance state are independent small reads, each a Spark job of
    // 60-90 ms: run side by side, they cost the longer of the two instead of the sum (measured)
    ExecutorService side = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "activity-index-lookup");
      t.setDaemon(true);
      return t;
    });
    Optional<Long> covered;
    Set<String> unindexed;
    List<Row> indexRows;
    try {
      // the thread is created here, so it inherits this thread's Spark job group and description
      Future<List<Row>> lookup = side.submit(() -> lake.read(AccessKeyTable.NAME)
          .filter(dayRange().and(col("access_key_id").equalTo(accessKey)))
          .select("actor_principal", CloudTrailTable.PARTITION_COLUMN).collectAsList());
      covered = MaintenanceState.lastVersion(lake, CloudTrailTable.NAME);
      unindexed = covered.isEmpty() ? Set.of()
          : MaintenanceState.addedPartitions(lake, CloudTrailTable.NAME, covered);
      indexRows = awaitLookup(lookup);
    } finally {
      side.shutdownNow();
    }
    if (covered.isEmpty()) {
      return new Plan(table.filter(byKey), false, List.of(), 0, -1);
    }
    Set<String> indexedDays = new TreeSet<>();
    Set<String> principals = new TreeSet<>();
    boolean nullPrincipal = false;
    for (Row r : indexRows) {
      String day = r.getDate(1).toString();
      if (unindexed.contains(day)) {
        continue;
      }
      indexedDays.add(day);
      if (r.isNullAt(0)) {
        nullPrincipal = true;
      } else {
        principals.add(r.getString(0));
      }
    }
    Column actor = principals.isEmpty() ? lit(false) : col("actor_principal").isin(principals.toArray());
    if (nullPrincipal) {
      actor = actor.or(col("actor_principal").isNull());
    }
    Dataset<Row> known = table.filter(byKey.and(inDays(indexedDays)).and(actor));
    Dataset<Row> events = unindexed.isEmpty() ? known
        : known.unionByName(table.filter(byKey.and(inDays(unindexed))));
    return new Plan(events, true, List.copyOf(principals), indexedDays.size(),
        unindexed.size());
  }

  private static List<Row> awaitLookup(Future<List<Row>> lookup) {
    try {
      return lookup.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the access-key index", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("reading the access-key index failed: " + e.getCause(), e.getCause());
    }
  }

  private Column dayRange() {
    return dayRange(CloudTrailTable.PARTITION_COLUMN, from, to);
  }

  /** {@code column} (a partition day) within [first, last]; a null bound is no bound. */
  static Column dayRange(String column, LocalDate first, LocalDate last) {
    Column c = lit(true);
    if (first != null) {
      c = c.and(col(column).geq(lit(Date.valueOf(first))));
    }
    if (last != null) {
      c = c.and(col(column).leq(lit(Date.valueOf(last))));
    }
    return c;
  }

  private static Column inDays(Set<String> days) {
    if (days.isEmpty()) {
      return lit(false);
    }
    List<Date> dates = new ArrayList<>();
    for (String d : days) {
      dates.add(Date.valueOf(d));
    }
    return col(CloudTrailTable.PARTITION_COLUMN).isin(dates.toArray());
  }
}
