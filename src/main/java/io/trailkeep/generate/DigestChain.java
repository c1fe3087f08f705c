package io.trailkeep.generate;

import io.trailkeep.integrity.DigestSignature;
import io.trailkeep.json.Json;
import io.trailkeep.storage.AwsLogKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The hourly digest files of one trail in one account and region, as CloudTrail writes them: one
 * digest per hour, also for hours without log files (empty {@code logFiles}), each listing the log
 * files delivered in its hour with the SHA-256 of their uncompressed content, chained to the
 * previous digest by key, hash and signature, and signed ({@link DigestSignature}). The first
 * digest of the chain is a starting digest (previous fields null). Log files must be added in
 * delivery order.
 *
 * <p>A share of the log files ({@code lateRate}, drawn from a random stream of their own so the
 * rest of the organization does not change with it) arrive after their hour's digest was written:
 * the hourly digest leaves them out, and a <em>backfill</em> digest of the same hour lists them
 * ({@code ..._backfill.json.gz}, its S3 metadata carrying {@code backfill-generation-timestamp},
 * two hours after the hour ended). Backfill digests chain among themselves, signed like every
 * digest. Memory: the current hour's file lists.
 */
final class DigestChain {
  private final RawWriter out;
  private final DigestKeys.RegionKey key;
  private final String orgId;
  private final String account;
  private final String region;
  private final String trail;
  private final String home;
  private final String bucket;
  private final List<Map<String, Object>> hour = new ArrayList<>();
  private final List<Map<String, Object>> lateInHour = new ArrayList<>();
  private final SplittableRandom lateDraws;
  private final double lateRate;
  private Instant hourStart;
  private final Link regular = new Link();
  private final Link backfill = new Link();
  private long written;
  private long backfillWritten;

  /** The previous digest of a chain, which the next one names. */
  private static final class Link {
    String key;
    String hash;
    String signature;
  }

  DigestChain(RawWriter out, DigestKeys.RegionKey key, String orgId, String account, String region,
      String trail, String home, String bucket, Instant start, long seed, double lateRate) {
    this.lateRate = lateRate;
    this.lateDraws = new SplittableRandom(seed ^ (account + "/" + region).hashCode() * 0x9E3779B97F4A7C15L);
    this.out = out;
    this.key = key;
    this.orgId = orgId;
    this.account = account;
    this.region = region;
    this.trail = trail;
    this.home = home;
    this.bucket = bucket;
    this.hourStart = start.truncatedTo(ChronoUnit.HOURS);
  }

  /** A log file delivered at {@code delivered}, with the event time range of its records. */
  void logFile(Instant delivered, String logKey, byte[] uncompressed, Instant oldest, Instant newest) {
    closeBefore(delivered);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("s3Bucket", bucket);
    f.put("s3Object", out.objectKey(logKey));
    f.put("hashValue", DigestSignature.sha256Hex(uncompressed));
    f.put("hashAlgorithm", "SHA-256");
    f.put("newestEventTime", newest.toString());
    f.put("oldestEventTime", oldest.toString());
    boolean late = lateRate > 0 && lateDraws.nextDouble() < lateRate;
    (late ? lateInHour : hour).add(f);
  }

  /** Writes the digests of every hour that ends at or before {@code t}. */
  void closeBefore(Instant t) {
    while (!hourStart.plus(1, ChronoUnit.HOURS).isAfter(t)) {
      writeHour();
    }
  }

  /** Digest files written, backfill digests included. */
  long written() {
    return written;
  }

  /** Backfill digest files written. */
  long backfillWritten() {
    return backfillWritten;
  }

  private void writeHour() {
    Instant end = hourStart.plus(1, ChronoUnit.HOURS);
    write(AwsLogKeys.digest(orgId, account, region, trail, home, end), end, hour, regular, null);
    if (!lateInHour.isEmpty()) {
      Instant generated = end.plus(2, ChronoUnit.HOURS);
      write(AwsLogKeys.backfillDigest(orgId, account, region, trail, home, end), end, lateInHour, backfill,
          generated);
      backfillWritten++;
      lateInHour.clear();
    }
    hour.clear();
    hourStart = end;
  }

  /** Writes one signed digest of {@code files} in the chain {@code link}, and moves the chain on. */
  private void write(String digestKey, Instant end, List<Map<String, Object>> files, Link link,
      Instant backfillGenerated) {
    String objectKey = out.objectKey(digestKey);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("awsAccountId", account);
    d.put("digestStartTime", hourStart.toString());
    d.put("digestEndTime", end.toString());
    d.put("digestS3Bucket", bucket);
    d.put("digestS3Object", objectKey);
    d.put("digestPublicKeyFingerprint", key.fingerprint());
    d.put("digestSignatureAlgorithm", DigestSignature.ALGORITHM);
    String newest = null;
    String oldest = null;
    for (Map<String, Object> f : files) {
      String n = (String) f.get("newestEventTime");
      String o = (String) f.get("oldestEventTime");
      newest = newest == null || n.compareTo(newest) > 0 ? n : newest;
      oldest = oldest == null || o.compareTo(oldest) < 0 ? o : oldest;
    }
    d.put("newestEventTime", newest);
    d.put("oldestEventTime", oldest);
    d.put("previousDigestS3Bucket", link.key == null ? null : bucket);
    d.put("previousDigestS3Object", link.key);
    d.put("previousDigestHashValue", link.hash);
    d.put("previousDigestHashAlgorithm", link.key == null ? null : "SHA-256");
    d.put("previousDigestSignature", link.signature);
    d.put("logFiles", new ArrayList<>(files));
    byte[] body = Json.write(d).getBytes(StandardCharsets.UTF_8);
    String signature = DigestSignature.sign(key.pair().getPrivate(), DigestSignature.signingString(
        end.toString(), bucket, objectKey, body, link.signature));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put(DigestSignature.META_SIGNATURE, signature);
    metadata.put(DigestSignature.META_ALGORITHM, DigestSignature.ALGORITHM);
    if (backfillGenerated != null) {
      metadata.put(DigestSignature.META_BACKFILL_GENERATED, backfillGenerated.toString());
    }
    out.withMetadata(digestKey, body, metadata);
    link.key = objectKey;
    link.hash = DigestSignature.sha256Hex(body);
    link.signature = signature;
    written++;
  }
}
