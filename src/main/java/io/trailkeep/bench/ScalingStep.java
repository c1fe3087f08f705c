package io.trailkeep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.job.Progress;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bench step {@code scaling}: the same ingest in child JVMs with a 1 GiB heap, one per core count
 * (local[1], local[2], ...): the speedup of the second core, and whether the data set ingests
 * within 1 GiB. Each child ingests the set {@code repeats + 1} times into fresh lakes: the first
 * run is cold (JIT compilation competes with the tasks), the best of the others is warm. The
 * children inherit this JVM's class path and module options; their time is the job's own (JVM
 * start excluded).
 *
 * <p>With a memory set ({@code --memory-events}, about 5 GB of raw logs at 3,900,000 events), one
 * more child ingests that set once, cold, on the largest core count: the point is the 1 GiB heap,
 * so it reports whether the ingest finished, its seconds and its rate.
 */
final class ScalingStep {
  private ScalingStep() {}

  /** What one child measured, or why it failed. */
  record Child(Double coldSeconds, Double warmSeconds, Long recordsRead, String error) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      if (error != null) {
        m.put("error", error);
        return m;
      }
      m.put("cold_seconds", coldSeconds);
      if (warmSeconds != null) {
        m.put("warm_seconds", warmSeconds);
        m.put("warm_records_s", recordsRead / warmSeconds);
      }
      m.put("records_read", recordsRead);
      return m;
    }
  }

  static Map<String, Object> run(Path dir, BenchData data, BenchData memorySet,
      List<Integer> coreCounts, int repeats, Progress progress) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("heap", "1g");
    Map<Integer, Child> children = new LinkedHashMap<>();
    for (int cores : coreCounts) {
      Child c = child(dir, data.raw(), cores, repeats + 1);
      children.put(cores, c);
      m.put("local_" + cores, c.toMap());
    }
    Child one = children.get(1);
    Child two = children.get(2);
    if (one != null && two != null && one.error() == null && two.error() == null) {
      m.put("local2_vs_local1", one.warmSeconds() / two.warmSeconds());
      m.put("local2_vs_local1_cold", one.coldSeconds() / two.coldSeconds());
    }
    if (memorySet != null) {
      int cores = coreCounts.stream().max(Integer::compare).orElse(2);
      progress.info("bench: scaling, memory set: %,d events, %,d files, %,d gzip bytes in a 1 GiB child"
          + " on local[%d]", memorySet.generatedEvents(), memorySet.files().size(),
          memorySet.gzipBytes(), cores);
      Child c = child(dir, memorySet.raw(), cores, 1);
      Map<String, Object> mem = new LinkedHashMap<>();
      mem.put("events", memorySet.generatedEvents());
      mem.put("files", (long) memorySet.files().size());
      mem.put("gzip_bytes", memorySet.gzipBytes());
      mem.put("heap", "1g");
      mem.put("cores", cores);
      mem.putAll(c.toMap());
      if (c.error() == null) {
        mem.put("records_s_per_core", c.recordsRead() / c.coldSeconds() / cores);
      }
      m.put("memory_set", mem);
    }
    progress.info("bench: scaling %s", m);
    return m;
  }

  private static Child child(Path dir, Path raw, int cores, int runs) throws IOException {
    BenchChild c = BenchChild.run(ScalingStep.class, List.of(raw.toString(), dir.toString(),
        String.valueOf(cores), String.valueOf(runs)), dir.resolve("scaling-local" + cores + ".log"));
    if (c.error() != null) {
      return new Child(null, null, null, "child ingest: " + c.error());
    }
    JsonNode json = c.json();
    JsonNode warm = json.get("warm_seconds");
    return new Child(json.get("cold_seconds").asDouble(),
        warm == null || warm.isNull() ? null : warm.asDouble(), json.get("records_read").asLong(), null);
  }

  /**
   * Entry point of a scaling child: {@code RAW DIR CORES RUNS}. Ingests RAW's CloudTrail files
   * RUNS times, each into a fresh lake under DIR, on local[CORES] with the session TrailKeep's CLI
   * would build; prints one JSON line: the first run's seconds, the best of the others (absent when
   * RUNS is 1), records read.
   */
  public static void main(String[] args) throws IOException {
    String raw = args[0];
    Path dir = Path.of(args[1]);
    int cores = Integer.parseInt(args[2]);
    int runs = Math.max(1, Integer.parseInt(args[3]));
    TrailkeepConf conf = TrailkeepConf.resolve(null, Map.of("master", "local[" + cores + "]"));
    try (Sessions.Handle h = Sessions.open(conf, "bench-scaling")) {
      double cold = 0;
      Double warm = null;
      long records = 0;
      for (int i = 0; i < runs; i++) {
        Path lake = Files.createTempDirectory(dir, "lake-local" + cores + "-");
        IngestJob.Result r = IngestJob.into(new Lake(h.spark(), lake.toString())).raw(raw)
            .sources("cloudtrail").execute();
        records = r.recordsRead();
        if (i == 0) {
          cold = r.seconds();
        } else {
          warm = warm == null ? r.seconds() : Math.min(warm, r.seconds());
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("cold_seconds", cold);
      out.put("warm_seconds", warm);
      out.put("records_read", records);
      System.out.println(Json.write(out));
    }
  }
}
