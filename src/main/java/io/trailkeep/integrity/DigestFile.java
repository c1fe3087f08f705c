package io.trailkeep.integrity;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.json.Json;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One CloudTrail digest file's body, as the CloudTrail User Guide documents it: the time range and
 * location it covers, the fingerprint of the key that signed it, the previous digest of its chain
 * (key, hash, signature; all null for a starting digest) and the log files delivered in its range
 * with the SHA-256 of their uncompressed content. Immutable.
 */
public record DigestFile(String accountId, Instant start, Instant end, String bucket,
    String objectKey, String fingerprint, String algorithm, String previousBucket,
    String previousKey, String previousHash, String previousSignature, List<LogEntry> logFiles)
    implements Serializable {

  /** One listed log file. */
  public record LogEntry(String bucket, String objectKey, String sha256, String algorithm,
      Instant oldest, Instant newest) implements Serializable {}

  public DigestFile {
    logFiles = List.copyOf(logFiles);
  }

  /** Whether this is a starting digest (validation started or restarted here). */
  public boolean starting() {
    return previousKey == null;
  }

  /** Parses the uncompressed body; a body that is not a digest is an IllegalArgumentException. */
  public static DigestFile parse(byte[] uncompressed) {
    JsonNode d = Json.parse(new String(uncompressed, StandardCharsets.UTF_8));
    if (!d.isObject() || !d.has("digestEndTime") || !d.has("digestS3Object")) {
      throw new IllegalArgumentException("not a CloudTrail digest: no digestEndTime/digestS3Object");
    }
    List<LogEntry> logs = new ArrayList<>();
    for (JsonNode f : d.path("logFiles")) {
      logs.add(new LogEntry(text(f, "s3Bucket"), text(f, "s3Object"), text(f, "hashValue"),
          text(f, "hashAlgorithm"), time(f, "oldestEventTime"), time(f, "newestEventTime")));
    }
    // the field list of the guide calls it publicKeyFingerprint, its samples digestPublicKeyFingerprint
    String fingerprint = d.has("digestPublicKeyFingerprint") ? text(d, "digestPublicKeyFingerprint")
        : text(d, "publicKeyFingerprint");
    return new DigestFile(text(d, "awsAccountId"), time(d, "digestStartTime"),
        time(d, "digestEndTime"), text(d, "digestS3Bucket"), text(d, "digestS3Object"), fingerprint,
        text(d, "digestSignatureAlgorithm"), text(d, "previousDigestS3Bucket"),
        text(d, "previousDigestS3Object"), text(d, "previousDigestHashValue"),
        text(d, "previousDigestSignature"), logs);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Instant time(JsonNode n, String field) {
    String t = text(n, field);
    if (t == null) {
      return null;
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " is not an ISO-8601 time: " + t, e);
    }
  }

  /** The time text as signed: the body's own {@code digestEndTime} spelling. */
  public static String endTimeText(byte[] uncompressed) {
    return Json.parse(new String(uncompressed, StandardCharsets.UTF_8)).path("digestEndTime").asText();
  }
}
