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

/**
 * The hourly digest files of one trail in one account and region, as CloudTrail writes them: one
 * digest per hour, also for hours without log files (empty {@code logFiles}), each listing the log
 * files delivered in its hour with the SHA-256 of their uncompressed content, chained to the
 * previous digest by key, hash and signature, and signed ({@link DigestSignature}). The first
 * digest of the chain is a starting digest (previous fields null). Log files must be added in
 * delivery order. Memory: the current hour's file list.
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
  private Instant hourStart;
  private String previousKey;
  private String previousHash;
  private String previousSignature;
  private long written;

  DigestChain(RawWriter out, DigestKeys.RegionKey key, String orgId, String account, String region,
      String trail, String home, String bucket, Instant start) {
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
    hour.add(f);
  }

  /** Writes the digests of every hour that ends at or before {@code t}. */
  void closeBefore(Instant t) {
    while (!hourStart.plus(1, ChronoUnit.HOURS).isAfter(t)) {
      writeHour();
    }
  }

  long written() {
    return written;
  }

  private void writeHour() {
    Instant end = hourStart.plus(1, ChronoUnit.HOURS);
    String digestKey = AwsLogKeys.digest(orgId, account, region, trail, home, end);
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
    for (Map<String, Object> f : hour) {
      String n = (String) f.get("newestEventTime");
      String o = (String) f.get("oldestEventTime");
      newest = newest == null || n.compareTo(newest) > 0 ? n : newest;
      oldest = oldest == null || o.compareTo(oldest) < 0 ? o : oldest;
    }
    d.put("newestEventTime", newest);
    d.put("oldestEventTime", oldest);
    d.put("previousDigestS3Bucket", previousKey == null ? null : bucket);
    d.put("previousDigestS3Object", previousKey);
    d.put("previousDigestHashValue", previousHash);
    d.put("previousDigestHashAlgorithm", previousKey == null ? null : "SHA-256");
    d.put("previousDigestSignature", previousSignature);
    d.put("logFiles", new ArrayList<>(hour));
    byte[] body = Json.write(d).getBytes(StandardCharsets.UTF_8);
    String signature = DigestSignature.sign(key.pair().getPrivate(), DigestSignature.signingString(
        end.toString(), bucket, objectKey, body, previousSignature));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put(DigestSignature.META_SIGNATURE, signature);
    metadata.put(DigestSignature.META_ALGORITHM, DigestSignature.ALGORITHM);
    out.withMetadata(digestKey, body, metadata);
    previousKey = objectKey;
    previousHash = DigestSignature.sha256Hex(body);
    previousSignature = signature;
    hour.clear();
    hourStart = end;
    written++;
  }
}
