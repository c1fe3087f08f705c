package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.regexp_extract;

import io.trailkeep.conf.ConfException;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.storage.AwsLogKeys;
import io.trailkeep.storage.RawFile;
import io.trailkeep.storage.RawStore;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * Finds raw objects under the raw root that the manifest does not mark done, walking the AWS
 * layouts ({@link AwsLogKeys}) through a {@link RawStore}.
 *
 * <p><b>Incremental</b> (every night): a region prefix never ingested is listed in full. A region
 * in the manifest is listed only from its last ingested day minus {@code lookbackDays} (late
 * deliveries) onwards, and CloudTrail day folders only from one hour before the newest ingested
 * key ({@link #incrementalWindow}). So the LIST count grows with the days scanned, not with history.
 * The price: a file that lands later than that window, with a key that sorts earlier, is never
 * listed.
 *
 * <p><b>Reconcile</b>: every region prefix is listed in full, or only the days in [from, to]. New
 * files that the incremental window would not have listed are counted as
 * {@code missed_by_incremental}.
 *
 * <p>Files whose latest manifest state is {@code failed} (our code failed on them) are retried by
 * every run, listed or not. Prefixes are listed in parallel on the driver; the comparison with the
 * manifest is a distributed anti-join, so the driver never holds the whole history.
 */
final class Discovery {
  private static final int LIST_THREADS = 16;
  private static final String REGION_DIR = "^(.*/)" + AwsLogKeys.DAY_DIRS_REGEX;
  private static final String DAY_DIR = "^(.*/" + AwsLogKeys.DAY_DIRS_REGEX + ")";
  private static final Pattern REGION_OF = Pattern.compile(REGION_DIR);
  private static final Pattern DAY_OF = Pattern.compile(DAY_DIR);

  private final Lake lake;
  private final int lookbackDays;

  Discovery(Lake lake, int lookbackDays) {
    this.lake = lake;
    this.lookbackDays = lookbackDays;
  }

  /** How much to list. */
  enum Mode { INCREMENTAL, RECONCILE }

  /** The result: files not done yet, and what listing cost. */
  record Found(List<RawFile> newFiles, long filesSeen, long listRequests, long missedByIncremental) {}

  /** What the manifest says about each region and day folder: the incremental listing window. */
  private static final class State {
    final Map<String, LocalDate> lastDay = new HashMap<>();
    final Map<String, String> lastPathOfDay = new HashMap<>();
  }

  /** Where an incremental run starts listing a region: its first day and, per day, StartAfter. */
  private record Window(LocalDate from, Map<String, String> lastPathOfDay) {
    /** The key to start after in {@code dayDir}, if any: one hour before its newest ingested key. */
    Optional<String> startAfter(String dayDir) {
      String last = lastPathOfDay.get(dayDir);
      if (last == null) {
        return Optional.empty();
      }
      Optional<LocalDateTime> minute = AwsLogKeys.deliveryMinute(last);
      if (minute.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime margin = minute.get().minusHours(1);
      if (!margin.toLocalDate().equals(minute.get().toLocalDate())) {
        return Optional.empty();
      }
      return AwsLogKeys.startAfter(dayDir, last, margin);
    }

    /** Whether an incremental listing of this window reaches {@code path} of day {@code day}. */
    boolean reaches(String dayDir, LocalDate day, String path) {
      if (from == null) {
        return true;
      }
      if (day == null || day.isBefore(from)) {
        return day == null;
      }
      Optional<String> after = startAfter(dayDir);
      return after.isEmpty() || path.compareTo(after.get()) > 0;
    }
  }

  /** The incremental window of {@code regionDir}: everything when the region is new. */
  private Window incrementalWindow(State s, String regionDir) {
    LocalDate last = s.lastDay.get(regionDir);
    return new Window(last == null ? null : last.minusDays(lookbackDays), s.lastPathOfDay);
  }

  /** Lists the root and returns the files not done; {@code from}/{@code to} bound reconcile. */
  Found discover(RawStore store, Mode mode, LocalDate from, LocalDate to) {
    State state = manifestState();
    List<RawStore.Entry> listed = Collections.synchronizedList(new ArrayList<>());
    String root = store.root();
    String awsLogs = root + "/AWSLogs/";
    if (!store.exists(awsLogs)) {
      if (!store.exists(root + "/")) {
        throw new ConfException("raw root " + root + " does not exist or is empty; pass --raw with the "
            + "folder or s3a:// prefix that holds AWSLogs/ (or run 'trailkeep generate' first)");
      }
      store.listFiles(root + "/", null, listed::add);
    } else {
      walk(store, awsLogs, mode == Mode.RECONCILE ? null : state, from, to, listed);
    }
    Map<String, RawFile> all = new LinkedHashMap<>();
    for (RawStore.Entry e : listed) {
      String name = e.path.substring(e.path.lastIndexOf('/') + 1);
      if (!name.startsWith(".") && !name.startsWith("_")) {
        all.put(e.path, RawFile.classify(e.path, e.size, e.modificationTime));
      }
    }
    long seen = all.size();
    for (RawFile f : Manifest.withStatus(lake, ManifestTable.NOT_DONE, null, null)) {
      all.putIfAbsent(f.path, f);
    }
    List<RawFile> sorted = new ArrayList<>(all.values());
    sorted.sort((a, b) -> a.path.compareTo(b.path));
    List<RawFile> fresh = notDone(sorted);
    long missed = 0;
    if (mode == Mode.RECONCILE) {
      for (RawFile f : fresh) {
        if (!reachedIncrementally(state, f)) {
          missed++;
        }
      }
    }
    return new Found(fresh, seen, store.listRequests(), missed);
  }

  private boolean reachedIncrementally(State s, RawFile f) {
    Matcher region = REGION_OF.matcher(f.path);
    Matcher day = DAY_OF.matcher(f.path);
    if (!region.find() || !day.find()) {
      return true; // outside the day layout: always listed in full
    }
    return incrementalWindow(s, region.group(1)).reaches(day.group(1), f.deliveryDate, f.path);
  }

  /** Walks AWSLogs/; {@code state} null means reconcile (every day, or [from, to]). */
  private void walk(RawStore store, String awsLogs, State state, LocalDate from, LocalDate to,
      List<RawStore.Entry> out) {
    List<String> accounts = new ArrayList<>();
    List<String> other = new ArrayList<>();
    List<String> hiveAccounts = new ArrayList<>();
    for (String d : store.childDirs(awsLogs)) {
      String name = lastSegment(d);
      if (AwsLogKeys.ORG.matcher(name).matches()) {
        accounts.addAll(store.childDirs(d));
      } else if (AwsLogKeys.ACCOUNT.matcher(name).matches()) {
        accounts.add(d);
      } else if (AwsLogKeys.HIVE_ACCOUNT.matcher(name).matches()) {
        hiveAccounts.add(d);
      } else {
        other.add(d); // anything else under AWSLogs/: listed in full
      }
    }
    ForkJoinPool pool = new ForkJoinPool(LIST_THREADS);
    try {
      // <account>/<service>/<region>/ (Hive: aws-account-id=/aws-service=/aws-region=/)
      List<String> regions = pool.submit(() -> accounts.parallelStream()
          .flatMap(a -> store.childDirs(a).stream())
          .flatMap(s -> store.childDirs(s).stream())
          .collect(Collectors.toList())).get();
      regions.addAll(pool.submit(() -> hiveAccounts.parallelStream()
          .flatMap(a -> store.childDirs(a).stream())
          .flatMap(s -> store.childDirs(s).stream())
          .collect(Collectors.toList())).get());
      pool.submit(() -> {
        regions.parallelStream().forEach(r -> {
          if (state == null) {
            walkRegion(store, r, new Window(from, Map.of()), to, out);
          } else {
            walkRegion(store, r, incrementalWindow(state, r), null, out);
          }
        });
        other.parallelStream().forEach(o -> store.listFiles(o, null, out::add));
      }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IngestException("listing interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw new IngestException("listing failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdown();
    }
  }

  /** Lists the days of {@code region} from {@code w.from} (all when null) to {@code to} (open when null). */
  private static void walkRegion(RawStore store, String region, Window w, LocalDate to,
      List<RawStore.Entry> out) {
    if (w.from() == null && to == null) {
      store.listFiles(region, null, out::add);
      return;
    }
    LocalDate from = w.from() == null ? LocalDate.MIN : w.from();
    LocalDate until = to == null ? LocalDate.MAX : to;
    for (String year : store.childDirs(region)) {
      int y = number(lastSegment(year));
      if (y < from.getYear() || (y != Integer.MAX_VALUE && y > until.getYear())) {
        continue;
      }
      for (String month : store.childDirs(year)) {
        int m = number(lastSegment(month));
        if ((y == from.getYear() && m < from.getMonthValue())
            || (y == until.getYear() && m != Integer.MAX_VALUE && m > until.getMonthValue())) {
          continue;
        }
        for (String day : store.childDirs(month)) {
          int d = number(lastSegment(day));
          LocalDate date;
          try {
            date = LocalDate.of(y, m, d);
          } catch (RuntimeException e) {
            store.listFiles(day, null, out::add); // not a day folder: list it, classify later
            continue;
          }
          if (!date.isBefore(from) && !date.isAfter(until)) {
            store.listFiles(day, w.startAfter(day).orElse(null), out::add);
          }
        }
      }
    }
  }

  private State manifestState() {
    State s = new State();
    Dataset<Row> latest = Manifest.latest(lake);
    if (latest == null) {
      return s;
    }
    Dataset<Row> m = latest.filter(col("delivery_date").isNotNull())
        .select(col("path"), col("delivery_date"),
            regexp_extract(col("path"), REGION_DIR, 1).alias("region_dir"),
            regexp_extract(col("path"), DAY_DIR, 1).alias("day_dir"))
        .filter(col("region_dir").notEqual(""));
    Dataset<Row> last = m.groupBy("region_dir").agg(max("delivery_date").alias("last_day"));
    for (Row r : last.collectAsList()) {
      s.lastDay.put(r.getString(0), r.getDate(1).toLocalDate());
    }
    Dataset<Row> recent = m.join(last, "region_dir")
        .filter(col("delivery_date").geq(date_sub(col("last_day"), lookbackDays)))
        .groupBy("day_dir").agg(max("path"));
    for (Row r : recent.collectAsList()) {
      s.lastPathOfDay.put(r.getString(0), r.getString(1));
    }
    return s;
  }

  private List<RawFile> notDone(List<RawFile> all) {
    Dataset<Row> done = all.isEmpty() ? null : Manifest.donePaths(lake);
    if (done == null) {
      return all;
    }
    List<String> paths = new ArrayList<>(all.size());
    for (RawFile f : all) {
      paths.add(f.path);
    }
    Dataset<Row> listed = lake.spark().createDataset(paths, Encoders.STRING()).toDF("path");
    Set<String> fresh = new HashSet<>(listed.join(done, listed.col("path").equalTo(done.col("path")),
        "left_anti").as(Encoders.STRING()).collectAsList());
    List<RawFile> out = new ArrayList<>();
    for (RawFile f : all) {
      if (fresh.contains(f.path)) {
        out.add(f);
      }
    }
    return out;
  }

  private static String lastSegment(String dir) {
    String d = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    return d.substring(d.lastIndexOf('/') + 1);
  }

  private static int number(String segment) {
    String s = segment.substring(segment.indexOf('=') + 1);
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }
}
