package io.trailkeep.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.trailkeep.ingest.RecordSink;
import io.trailkeep.ingest.cloudtrail.CloudTrailFormat;
import io.trailkeep.job.Progress;
import io.trailkeep.storage.RawFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * Bench step {@code parse}: on one core and in memory, Java's gunzip alone, Jackson's token
 * stream alone and TrailKeep's CloudTrail parser, over the same decompressed files.
 */
final class ParseStep {
  private ParseStep() {}

  static Map<String, Object> run(BenchData data, int repeats, Progress progress) throws IOException {
    List<byte[]> gz = new ArrayList<>();
    for (Path f : data.files()) {
      gz.add(Files.readAllBytes(f));
    }
    AtomicLong uncompressed = new AtomicLong();
    double gunzip = Timing.best(repeats, () -> {
      long n = 0;
      byte[] buf = new byte[1 << 16];
      for (byte[] g : gz) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(g), 1 << 16)) {
          int r;
          while ((r = in.read(buf)) > 0) {
            n += r;
          }
        }
      }
      uncompressed.set(n);
    });
    List<byte[]> plain = new ArrayList<>();
    for (byte[] g : gz) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(g))) {
        plain.add(in.readAllBytes());
      }
    }
    JsonFactory json = new JsonFactory();
    double tokens = Timing.best(repeats, () -> {
      for (byte[] p : plain) {
        try (JsonParser jp = json.createParser(p)) {
          while (jp.nextToken() != null) {
            if (jp.currentToken() == JsonToken.VALUE_STRING) {
              jp.getText();
            }
          }
        }
      }
    });
    CloudTrailFormat format = new CloudTrailFormat();
    RawFile file = RawFile.classify("AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/01/x.json.gz", 0, 0);
    AtomicLong records = new AtomicLong();
    double ours = Timing.best(repeats, () -> {
      CountingSink sink = new CountingSink();
      for (byte[] p : plain) {
        format.parse(file, p, p.length, sink);
      }
      records.set(sink.records);
    });
    double mb = uncompressed.get() / 1e6;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uncompressed_mb", mb);
    m.put("records", records.get());
    m.put("gunzip_mb_s", mb / gunzip);
    m.put("jackson_tokens_mb_s", mb / tokens);
    m.put("trailkeep_parser_mb_s", mb / ours);
    m.put("trailkeep_parser_records_s", records.get() / ours);
    m.put("parser_vs_gunzip", gunzip / ours);
    progress.info("bench: parse only %s", m);
    return m;
  }

  private static final class CountingSink implements RecordSink {
    long records;

    @Override
    public void record(int position, Object[] values) {
      records++;
    }

    @Override
    public void quarantineRecord(int position, long offset, long length, String reason, String rawText) {}

    @Override
    public void quarantine(int position, long offset, long length, String reason, String rawText) {}
  }
}
