package io.trailkeep.bench;

import io.trailkeep.correlate.CorrelateJob;
import io.trailkeep.detect.DetectJob;
import io.trailkeep.generate.DayDelivery;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.job.Progress;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * Bench step {@code nights}: the cost of one night as history grows. An organization of
 * {@code days} days (every source, every scenario) is delivered one day at a time
 * ({@link DayDelivery}); after each day ingest, then {@code detect} and {@code correlate} run as a
 * nightly batch runs them, and the two are timed. Night 1 is the baseline of the same run: a
 * night's cost should stay near it however many nights came before. Runs once (a night cannot be
 * repeated without changing what the next one sees). Side effects: files under {@code scratch}.
 */
final class NightsStep {
  private NightsStep() {}

  static Map<String, Object> run(SparkSession spark, Path scratch, long events, int days, int accounts,
      Progress progress) throws IOException {
    LocalDate start = LocalDate.of(2026, 6, 1);
    Path raw = Files.createDirectories(scratch.resolve("nights-raw"));
    Path delivered = Files.createDirectories(scratch.resolve("nights-delivered"));
    Generator.Result g = Generator.with(new Configuration()).raw(raw.toString()).events(events).days(days)
        .accounts(accounts).seed(2027).start(start).scenarios(List.of("all")).execute();
    Lake lake = new Lake(spark, scratch.resolve("nights-lake").toString());
    List<Map<String, Object>> nights = new ArrayList<>();
    // the night after the last day brings that day's late deliveries
    for (int n = 0; n <= days; n++) {
      DayDelivery.deliver(raw, delivered, start.plusDays(n));
      IngestJob.into(lake).raw(delivered.toString()).execute();
      long t0 = System.nanoTime();
      DetectJob.Result d = DetectJob.on(lake).execute();
      long t1 = System.nanoTime();
      CorrelateJob.Result c = CorrelateJob.on(lake).execute();
      long t2 = System.nanoTime();
      Map<String, Object> night = new LinkedHashMap<>();
      night.put("night", n + 1);
      night.put("lake_events", lake.read(CloudTrailTable.NAME).count());
      night.put("detect_seconds", (t1 - t0) / 1e9);
      night.put("detect_days_read", d.firstDay() == null ? 0
          : java.time.temporal.ChronoUnit.DAYS.between(LocalDate.parse(d.firstDay()), LocalDate.parse(d.lastDay())) + 1);
      night.put("detect_events_scanned", d.eventsScanned());
      night.put("alerts_new", d.alertsNew());
      night.put("correlate_seconds", (t2 - t1) / 1e9);
      night.put("seeds", c.alertSeeds() + c.findingSeeds());
      night.put("incidents", c.incidents());
      night.put("incidents_rebuilt", c.incidentsRebuilt());
      progress.info("bench: night %d of %d: %s", n + 1, days + 1, night);
      nights.add(night);
    }
    Map<String, Object> first = nights.get(0);
    // the last full day's night: the one after it only brings late files
    Map<String, Object> last = nights.get(days - 1);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("events", g.events());
    m.put("days", days);
    m.put("nights", nights);
    m.put("detect_night_1_seconds", first.get("detect_seconds"));
    m.put("detect_night_n_seconds", last.get("detect_seconds"));
    m.put("detect_night_n_vs_night_1", (double) last.get("detect_seconds") / (double) first.get("detect_seconds"));
    m.put("correlate_night_1_seconds", first.get("correlate_seconds"));
    m.put("correlate_night_n_seconds", last.get("correlate_seconds"));
    m.put("correlate_night_n_vs_night_1",
        (double) last.get("correlate_seconds") / (double) first.get("correlate_seconds"));
    progress.info("bench: nights %s", m);
    return m;
  }
}
