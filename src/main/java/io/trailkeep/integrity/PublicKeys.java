package io.trailkeep.integrity;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.conf.ConfException;
import io.trailkeep.json.Json;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.ListPublicKeysRequest;
import software.amazon.awssdk.services.cloudtrail.model.ListPublicKeysResponse;
import software.amazon.awssdk.services.cloudtrail.model.PublicKey.Builder;

/**
 * CloudTrail's digest-signing public keys by fingerprint: from a file in the shape of
 * {@code aws cloudtrail list-public-keys} output ({@code PublicKeyList} of base64 DER PKCS#1
 * {@code Value}, validity times, {@code Fingerprint}) for offline use, or from the ListPublicKeys
 * API of each region whose digests are validated (CloudTrail signs with one key pair per region),
 * for the time range validated. Serializable (broadcast to executors as base64 values).
 */
public final class PublicKeys implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One published key. */
  public record Entry(String fingerprint, String base64Pkcs1, Instant validFrom, Instant validTo)
      implements Serializable {
    public PublicKey key() {
      return DigestSignature.publicKey(Base64.getDecoder().decode(base64Pkcs1));
    }
  }

  private final Map<String, Entry> byFingerprint;

  private PublicKeys(Map<String, Entry> byFingerprint) {
    this.byFingerprint = Map.copyOf(byFingerprint);
  }

  public Entry get(String fingerprint) {
    return fingerprint == null ? null : byFingerprint.get(fingerprint);
  }

  public int size() {
    return byFingerprint.size();
  }

  /**
   * The key file's name under a raw root ({@code <raw>/cloudtrail-public-keys.json}): where the
   * generated organization writes its keys, and where {@code validate} looks when
   * {@code validate.public-keys} is not set.
   */
  public static final String RAW_ROOT_FILE = "cloudtrail-public-keys.json";

  /**
   * The key file beside the logs under {@code rawRoot}, or null when there is none there.
   * Cost: one existence check on the raw store.
   */
  public static String besideRaw(String rawRoot, Configuration hadoop) {
    String root = rawRoot.endsWith("/") ? rawRoot.substring(0, rawRoot.length() - 1) : rawRoot;
    Path path = new Path(root + "/" + RAW_ROOT_FILE);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      return fs.exists(path) && fs.getFileStatus(path).isFile() ? path.toString() : null;
    } catch (IOException e) {
      throw new ConfException("cannot look for " + path + ": " + e.getMessage());
    }
  }

  /** Keys from a list-public-keys JSON file (a local path or any Hadoop URI, s3a:// included). */
  public static PublicKeys fromFile(String file, Configuration hadoop) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      if (!fs.exists(path) || fs.getFileStatus(path).isDirectory()) {
        throw new ConfException("public key file " + file + " does not exist; give the output of "
            + "'aws cloudtrail list-public-keys' saved as JSON, or leave --public-keys out to ask "
            + "CloudTrail");
      }
      try (InputStream in = fs.open(path)) {
        return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new ConfException("cannot read public key file " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfException("public key file " + file + " is not list-public-keys output: "
          + e.getMessage());
    }
  }

  /** Keys from list-public-keys JSON text. */
  public static PublicKeys fromJson(String text) {
    JsonNode list = Json.parse(text).path("PublicKeyList");
    if (!list.isArray()) {
      throw new IllegalArgumentException("no PublicKeyList array");
    }
    Map<String, Entry> m = new HashMap<>();
    for (JsonNode k : list) {
      Entry e = new Entry(k.path("Fingerprint").asText(), k.path("Value").asText(),
          instant(k.path("ValidityStartTime")), instant(k.path("ValidityEndTime")));
      e.key(); // fails early on a malformed value
      m.put(e.fingerprint(), e);
    }
    return new PublicKeys(m);
  }

  private static Instant instant(JsonNode n) {
    if (n.isNumber()) {
      return Instant.ofEpochMilli((long) (n.asDouble() * 1000)); // the CLI may print epoch seconds
    }
    return n.isMissingNode() || n.isNull() ? null : Instant.parse(n.asText());
  }

  /** The ListPublicKeys request for one region's keys valid within [from, to]. */
  static ListPublicKeysRequest request(Instant from, Instant to, String nextToken) {
    return ListPublicKeysRequest.builder().startTime(from).endTime(to).nextToken(nextToken).build();
  }

  /** Keys of one ListPublicKeys response page. */
  static Map<String, Entry> entries(ListPublicKeysResponse response) {
    Map<String, Entry> m = new HashMap<>();
    for (software.amazon.awssdk.services.cloudtrail.model.PublicKey k : response.publicKeyList()) {
      SdkBytes value = k.value();
      m.put(k.fingerprint(), new Entry(k.fingerprint(),
          Base64.getEncoder().encodeToString(value.asByteArray()), k.validityStartTime(),
          k.validityEndTime()));
    }
    return m;
  }

  /** Keys from CloudTrail's ListPublicKeys in each of {@code regions}, valid within [from, to]. */
  public static PublicKeys fromCloudTrail(Collection<String> regions, Instant from, Instant to) {
    Map<String, Entry> m = new HashMap<>();
    for (String region : regions) {
      try (CloudTrailClient client = CloudTrailClient.builder().region(Region.of(region)).build()) {
        String token = null;
        do {
          ListPublicKeysResponse r = client.listPublicKeys(request(from, to, token));
          m.putAll(entries(r));
          token = r.nextToken();
        } while (token != null);
      }
    }
    return new PublicKeys(m);
  }

  /** Builds a key as CloudTrail's API returns it (tests). */
  static Builder sdkKey() {
    return software.amazon.awssdk.services.cloudtrail.model.PublicKey.builder();
  }
}
