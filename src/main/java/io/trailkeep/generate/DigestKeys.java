package io.trailkeep.generate;

import io.trailkeep.integrity.DigestSignature;
import io.trailkeep.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The generated organization's CloudTrail signing keys: one RSA 2048 key pair per region (as
 * CloudTrail uses one per region), derived from the seed so equal seeds sign identically, and the
 * public keys as {@code aws cloudtrail list-public-keys} prints them ({@link #publicKeyList}).
 * Cost: one key generation per region (tens of milliseconds).
 */
final class DigestKeys {
  /** The key file under the raw root (outside AWSLogs/, so ingest never lists it). */
  static final String FILE = io.trailkeep.integrity.PublicKeys.RAW_ROOT_FILE;

  /** One region's pair and its published form. */
  record RegionKey(KeyPair pair, String fingerprint, String base64Pkcs1) {}

  private final long seed;
  private final Map<String, RegionKey> byRegion = new TreeMap<>();

  DigestKeys(long seed) {
    this.seed = seed;
  }

  RegionKey forRegion(String region) {
    return byRegion.computeIfAbsent(region, this::generate);
  }

  private RegionKey generate(String region) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      // seeded before first use, SHA1PRNG is a deterministic stream
      random.setSeed(("trailkeep-digest-key/" + seed + "/" + region).getBytes(StandardCharsets.UTF_8));
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048, random);
      KeyPair pair = g.generateKeyPair();
      byte[] pkcs1 = DigestSignature.pkcs1((RSAPublicKey) pair.getPublic());
      return new RegionKey(pair, DigestSignature.fingerprint(pkcs1),
          Base64.getEncoder().encodeToString(pkcs1));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an RSA key pair", e);
    }
  }

  /** {@code {"PublicKeyList":[{"Value","ValidityStartTime","ValidityEndTime","Fingerprint"}]}}. */
  String publicKeyList(Instant validFrom, Instant validTo) {
    List<Map<String, Object>> keys = new ArrayList<>();
    for (RegionKey k : byRegion.values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("Value", k.base64Pkcs1());
      m.put("ValidityStartTime", validFrom.toString());
      m.put("ValidityEndTime", validTo.toString());
      m.put("Fingerprint", k.fingerprint());
      keys.add(m);
    }
    return Json.pretty(Map.of("PublicKeyList", keys)) + "\n";
  }
}
