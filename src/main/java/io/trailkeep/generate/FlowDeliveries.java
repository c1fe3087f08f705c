package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.storage.AwsLogKeys;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The organization's VPC Flow Logs deliveries: per account, region and 5-minute window one gzip
 * text file of background traffic ({@link FlowWriter#background}) plus planned scenario records,
 * in the account's format and layout ({@link FlowWriter#formatFor}). Keeps its own counts.
 * Deterministic per (seed, account, region, window).
 */
final class FlowDeliveries {
  /** Counts of what was written. */
  record Written(long records, long files, long bytes) {}

  private final RawWriter out;
  private final long seed;
  private final double ratio;
  private final String format;
  private final Map<String, List<FlowRecord>> planned;
  private final Map<String, FlowWriter> writers = new HashMap<>();
  private final Map<String, FlowWriter.Network> networks = new HashMap<>();
  private List<String> scanners = List.of();
  private long records;
  private long files;
  private long bytes;

  FlowDeliveries(RawWriter out, long seed, double ratio, String format,
      Map<String, List<FlowRecord>> planned) {
    this.out = out;
    this.seed = seed;
    this.ratio = ratio;
    this.format = format;
    this.planned = planned;
  }

  /** The internet scanners of {@code day}, which probe every account's public addresses. */
  static List<String> scanners(long seed, LocalDate day) {
    SplittableRandom r = new SplittableRandom(Randoms.mix(seed, 0x5CA77E4L, day.toEpochDay(), 0));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      out.add(Org.publicIp(r, false));
    }
    return out;
  }

  void startDay(LocalDate day) {
    this.scanners = scanners(seed, day);
  }

  /** Account number {@code index} of the organization uses this format. */
  void account(Account a, int index) {
    writers.put(a.id, FlowWriter.formatFor(format, index));
  }

  /** The flow file of the window starting at {@code windowStart}; {@code events} is its CloudTrail rate. */
  void window(Account a, String region, long windowStart, double events) {
    FlowWriter.Network net = networks.computeIfAbsent(a.id + "/" + region,
        k -> new FlowWriter.Network(a, region, seed));
    if (ratio <= 0 || net.instances.isEmpty()) {
      return;
    }
    SplittableRandom r = new SplittableRandom(Randoms.mix(seed ^ 0xF10F10L, a.id.hashCode(),
        region.hashCode(), windowStart));
    List<FlowRecord> window = FlowWriter.background(a, region, net, windowStart, events * ratio,
        scanners, r);
    Instant t = Instant.ofEpochSecond(windowStart);
    window.addAll(planned.getOrDefault(Generator.windowKey(a.id, region, t), List.of()));
    if (window.isEmpty()) {
      return;
    }
    FlowWriter writer = writers.get(a.id);
    String key = AwsLogKeys.flowLog(a.id, region, net.flowLogId, t, Ids.hex(r, 8), writer.hive(),
        writer.hive(), "log.gz");
    bytes += out.gzipped(key, writer.body(window));
    files++;
    records += window.size();
  }

  Written written() {
    return new Written(records, files, bytes);
  }
}
