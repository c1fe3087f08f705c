package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.regexp_extract;

import io.trailkeep.conf.ConfException;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.ManifestTable;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * Finds raw objects under the raw root that the manifest does not list yet, walking the AWS layout
 * {@code AWSLogs/[o-org/]<account>/<service>/<region>/YYYY/MM/DD/} (or its Hive-compatible form
 * {@code AWSLogs/aws-account-id=<a>/aws-service=<s>/aws-region=<r>/year=/month=/day=/}) through a
 * {@link RawStore}.
 *
 * <p>Cost: a region prefix never ingested before is listed in full (one LIST per 1000 keys). A
 * region already in the manifest is listed only from its last ingested day minus
 * {@code lookbackDays} (late deliveries) up to the newest day present; CloudTrail day prefixes
 * start after the last ingested key (less one hour of margin). So the nightly LIST count grows
 * with the days scanned, not with history. Prefixes are listed in parallel on the driver. The
 * final comparison with the manifest is a distributed anti-join, so the driver never holds the
 * whole history.
 */
public final class Discovery {
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern ORG = Pattern.compile("o-[a-z0-9]{10,32}");
  private static final Pattern HIVE_ACCOUNT = Pattern.compile("aws-account-id=\\d{12}");
  private static final Pattern KEY_TIME = Pattern.compile("_(\\d{8}T\\d{4})Z_[^/]*$");
  private static final DateTimeFormatter KEY_FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm");
  private static final int LIST_THREADS = 16;
  /** YYYY/MM/DD/, plain or Hive-style (year=YYYY/month=MM/day=DD/). */
  private static final String DAY_PATH = "(?:year=)?\\d{4}/(?:month=)?\\d{2}/(?:day=)?\\d{2}/";

  private final Lake lake;
  private final int lookbackDays;

  public Discovery(Lake lake, int lookbackDays) {
    this.lake = lake;
    this.lookbackDays = lookbackDays;
  }

  /** Counts from one discovery, for the summary. */
  public static final class Found {
    public final List<RawFile> newFiles;
    public final long filesSeen;
    public final long listRequests;

    Found(List<RawFile> newFiles, long filesSeen, long listRequests) {
      this.newFiles = newFiles;
      this.filesSeen = filesSeen;
      this.listRequests = listRequests;
    }
  }

  /** What the manifest knows about a region prefix. */
  private static final class State {
    final Map<String, LocalDate> lastDay = new HashMap<>();
    final Map<String, String> lastPathOfDay = new HashMap<>();
  }

  /** Lists the root through {@code store} and returns the files not in the manifest. */
  public Found discover(RawStore store) {
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
      walk(store, awsLogs, state, listed);
    }
    List<RawFile> all = new ArrayList<>(listed.size());
    for (RawStore.Entry e : listed) {
      String name = e.path.substring(e.path.lastIndexOf('/') + 1);
      if (!name.startsWith(".") && !name.startsWith("_")) {
        all.add(RawFile.classify(e.path, e.size, e.modificationTime));
      }
    }
    all.sort((a, b) -> a.path.compareTo(b.path));
    return new Found(notInManifest(all), all.size(), store.listRequests());
  }

  private void walk(RawStore store, String awsLogs, State state, List<RawStore.Entry> out) {
    List<String> accounts = new ArrayList<>();
    List<String> other = new ArrayList<>();
    List<String> hiveAccounts = new ArrayList<>();
    for (String d : store.childDirs(awsLogs)) {
      String name = lastSegment(d);
      if (ORG.matcher(name).matches()) {
        accounts.addAll(store.childDirs(d));
      } else if (ACCOUNT.matcher(name).matches()) {
        accounts.add(d);
      } else {
        if (HIVE_ACCOUNT.matcher(name).matches()) {
          hiveAccounts.add(d);
        } else {
          other.add(d); // anything else under AWSLogs/: listed in full
        }
      }
    }
    ForkJoinPool pool = new ForkJoinPool(LIST_THREADS);
    try {
      List<String> regions = pool.submit(() -> accounts.parallelStream()
          .flatMap(a -> store.childDirs(a).stream())
          .flatMap(s -> store.childDirs(s).stream())
          .collect(Collectors.toList())).get();
      // Hive-compatible layout: aws-account-id=<a>/aws-service=<s>/aws-region=<r>/year=/month=/day=
      regions.addAll(pool.submit(() -> hiveAccounts.parallelStream()
          .flatMap(a -> store.childDirs(a).stream())
          .flatMap(s -> store.childDirs(s).stream())
          .collect(Collectors.toList())).get());
      pool.submit(() -> {
        regions.parallelStream().forEach(r -> walkRegion(store, r, state, out));
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

  private void walkRegion(RawStore store, String region, State state, List<RawStore.Entry> out) {
    LocalDate last = state.lastDay.get(region);
    if (last == null) {
      store.listFiles(region, null, out::add);
      return;
    }
    LocalDate from = last.minusDays(lookbackDays);
    for (String year : store.childDirs(region)) {
      int y = parse(lastSegment(year));
      if (y < from.getYear()) {
        continue;
      }
      for (String month : store.childDirs(year)) {
        int m = parse(lastSegment(month));
        if (y == from.getYear() && m < from.getMonthValue()) {
          continue;
        }
        for (String day : store.childDirs(month)) {
          int d = parse(lastSegment(day));
          LocalDate date;
          try {
            date = LocalDate.of(y, m, d);
          } catch (RuntimeException e) {
            store.listFiles(day, null, out::add);
            continue;
          }
          if (!date.isBefore(from)) {
            store.listFiles(day, startAfter(day, state.lastPathOfDay.get(day)), out::add);
          }
        }
      }
    }
  }

  /** For CloudTrail day prefixes: start one hour before the last ingested delivery. */
  static String startAfter(String dayDir, String lastIngested) {
    if (lastIngested == null || !(dayDir.contains("/CloudTrail/") || dayDir.contains("/CloudTrail-Insight/"))) {
      return null;
    }
    Matcher m = KEY_TIME.matcher(lastIngested);
    if (!m.find() || !lastIngested.startsWith(dayDir)) {
      return null;
    }
    LocalDateTime t = LocalDateTime.parse(m.group(1), KEY_FORMAT).minusHours(1);
    String name = lastIngested.substring(dayDir.length(), m.start() + 1);
    if (!t.toLocalDate().equals(LocalDateTime.parse(m.group(1), KEY_FORMAT).toLocalDate())) {
      return null;
    }
    return dayDir + name + KEY_FORMAT.format(t);
  }

  private State manifestState() {
    State s = new State();
    if (!lake.exists(ManifestTable.NAME)) {
      return s;
    }
    Dataset<Row> m = lake.read(ManifestTable.NAME).filter(col("delivery_date").isNotNull())
        .select(col("path"), col("delivery_date"),
            regexp_extract(col("path"), "^(.*/)" + DAY_PATH, 1).alias("region_dir"),
            regexp_extract(col("path"), "^(.*/" + DAY_PATH + ")", 1).alias("day_dir"))
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

  private List<RawFile> notInManifest(List<RawFile> all) {
    if (all.isEmpty() || !lake.exists(ManifestTable.NAME)) {
      return all;
    }
    List<String> paths = new ArrayList<>(all.size());
    for (RawFile f : all) {
      paths.add(f.path);
    }
    Dataset<Row> listed = lake.spark().createDataset(paths, Encoders.STRING()).toDF("path");
    Dataset<Row> known = lake.read(ManifestTable.NAME).select("path");
    Set<String> fresh = new HashSet<>(listed.join(known, listed.col("path").equalTo(known.col("path")),
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

  private static int parse(String segment) {
    String s = segment.substring(segment.indexOf('=') + 1);
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }
}
