package io.trailkeep.bench;

import io.trailkeep.generate.Generator;
import io.trailkeep.job.Progress;
import io.trailkeep.storage.AwsLogKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/**
 * The bench's data set: CloudTrail only (8 accounts unless told otherwise, no flows or findings),
 * generated once per size under the work directory and reused by later runs. Knows its log files and their gzip size.
 */
record BenchData(Path raw, long requestedEvents, long generatedEvents, List<Path> files, long gzipBytes) {
  /** Accounts of the default organization. */
  static final int DEFAULT_ACCOUNTS = 8;

  /** Generates the set unless it is cached; reads the file list either way. */
  static BenchData prepare(Path dir, long events, int days, int accounts, Progress progress)
      throws IOException {
    // the default organization keeps the cache names earlier runs wrote
    Path raw = dir.resolve("raw-" + events + "-" + days + (accounts == DEFAULT_ACCOUNTS ? "" : "-a" + accounts));
    Path count = raw.resolve("generated-events.txt");
    if (!Files.isDirectory(raw.resolve("AWSLogs")) || !Files.isRegularFile(count)) {
      progress.info("bench: generating %d events into %s (cached for later runs)", events, raw);
      Generator.Result g = Generator.with(new Configuration()).raw(raw.toString()).events(events)
          .days(days).accounts(accounts).flowRatio(0).findingsPerDay(0).seed(1234)
          .start(LocalDate.of(2026, 10, 1)).progress(progress).execute();
      Files.writeString(count, String.valueOf(g.events()));
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(raw.resolve("AWSLogs"))) {
      files = s.filter(p -> p.toString().contains("/CloudTrail/") && p.toString().endsWith(".json.gz"))
          .sorted().collect(Collectors.toList());
    }
    long compressed = 0;
    for (Path f : files) {
      compressed += Files.size(f);
    }
    return new BenchData(raw, events, Long.parseLong(Files.readString(count).trim()),
        List.copyOf(files), compressed);
  }

  /** The glob Spark's JSON reader takes for the same log files. */
  String logGlob() {
    return logGlob(raw);
  }

  /** The glob of the CloudTrail log files under a raw root. */
  static String logGlob(Path raw) {
    return raw.resolve(AwsLogKeys.cloudTrailLogGlob("*", "*", "*", "*", "*", "*")).toString();
  }
}
