package io.trailkeep.integrity;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * How CloudTrail signs a digest file, as its documentation describes: RSA PKCS#1 v1.5 with
 * SHA-256 ({@code SHA256withRSA}) over the signing string
 * {@code digestEndTime \n bucket/key \n hex(SHA-256(uncompressed digest)) \n previousDigestSignature}
 * (the last is the literal {@code null} for a starting digest). The signature travels hex-encoded
 * in the object's {@code x-amz-meta-signature} metadata. Public keys (from ListPublicKeys) are
 * DER-encoded PKCS#1 {@code RSAPublicKey} structures, base64 in the API; {@link #publicKey} and
 * {@link #pkcs1} convert them without a crypto library. Stateless.
 */
public final class DigestSignature {
  /** The only algorithm CloudTrail uses. */
  public static final String ALGORITHM = "SHA256withRSA";
  /** S3 user metadata keys (without the x-amz-meta- prefix) holding the signature. */
  public static final String META_SIGNATURE = "signature";
  public static final String META_ALGORITHM = "signature-algorithm";
  /**
   * S3 metadata of a backfill digest: when CloudTrail generated it (ISO-8601); AWS's validator
   * looks up the signing key around this time.
   */
  public static final String META_BACKFILL_GENERATED = "backfill-generation-timestamp";

  private DigestSignature() {}

  /** The string CloudTrail signs. */
  public static String signingString(String digestEndTime, String bucket, String key,
      byte[] uncompressedDigest, String previousSignature) {
    return signingString(digestEndTime, bucket, key, sha256Hex(uncompressedDigest), previousSignature);
  }

  /**
   * The signing string from the digest's hash: end time, {@code bucket/key}, the hex SHA-256 of the
   * uncompressed digest and the previous digest's signature ({@code null} for a chain's first
   * digest), joined by newlines.
   */
  public static String signingString(String digestEndTime, String bucket, String key, String sha256Hex,
      String previousSignature) {
    return digestEndTime + "\n" + bucket + "/" + key + "\n" + sha256Hex + "\n"
        + (previousSignature == null ? "null" : previousSignature);
  }

  /** Hex signature of {@code signingString}. */
  public static String sign(PrivateKey key, String signingString) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initSign(key);
      s.update(signingString.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with " + ALGORITHM, e);
    }
  }

  /** Whether {@code hexSignature} is a valid signature of {@code signingString} by {@code key}. */
  public static boolean verify(PublicKey key, String signingString, String hexSignature) {
    try {
      byte[] sig = HexFormat.of().parseHex(hexSignature);
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(key);
      s.update(signingString.getBytes(StandardCharsets.UTF_8));
      return s.verify(sig);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false; // not hex, or not a signature of this key's size: it does not verify
    }
  }

  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key's fingerprint as TrailKeep's generator writes it: hex MD5 of its PKCS#1 DER. */
  public static String fingerprint(byte[] pkcs1) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(pkcs1));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** DER PKCS#1 {@code RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }}. */
  public static byte[] pkcs1(RSAPublicKey key) {
    byte[] n = derInteger(key.getModulus());
    byte[] e = derInteger(key.getPublicExponent());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(n);
    body.writeBytes(e);
    return derTlv(0x30, body.toByteArray());
  }

  /** The RSA public key of a DER PKCS#1 structure; a malformed one is an IllegalArgumentException. */
  public static PublicKey publicKey(byte[] pkcs1) {
    Der d = new Der(pkcs1);
    d.expect(0x30);
    int seqEnd = d.length() + d.pos;
    d.expect(0x02);
    BigInteger modulus = new BigInteger(d.take(d.length()));
    d.expect(0x02);
    BigInteger exponent = new BigInteger(d.take(d.length()));
    if (d.pos != seqEnd || d.pos != pkcs1.length) {
      throw new IllegalArgumentException("trailing bytes after the RSA public key");
    }
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an RSA public key: " + e.getMessage(), e);
    }
  }

  private static byte[] derInteger(BigInteger v) {
    return derTlv(0x02, v.toByteArray());
  }

  private static byte[] derTlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = value.length;
    if (len < 0x80) {
      out.write(len);
    } else {
      byte[] l = BigInteger.valueOf(len).toByteArray();
      int skip = l[0] == 0 ? 1 : 0;
      out.write(0x80 | (l.length - skip));
      out.write(l, skip, l.length - skip);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  /** A minimal DER reader for the two-integer sequence above. */
  private static final class Der {
    private final byte[] b;
    private int pos;

    Der(byte[] b) {
      this.b = b;
    }

    void expect(int tag) {
      if (pos >= b.length || (b[pos] & 0xff) != tag) {
        throw new IllegalArgumentException("not a DER PKCS#1 RSA public key (tag at byte " + pos + ")");
      }
      pos++;
    }

    int length() {
      if (pos >= b.length) {
        throw new IllegalArgumentException("truncated DER");
      }
      int first = b[pos++] & 0xff;
      if (first < 0x80) {
        return first;
      }
      int n = first & 0x7f;
      if (n > 4 || pos + n > b.length) {
        throw new IllegalArgumentException("bad DER length");
      }
      int len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (b[pos++] & 0xff);
      }
      return len;
    }

    byte[] take(int n) {
      if (n < 0 || pos + n > b.length) {
        throw new IllegalArgumentException("truncated DER");
      }
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }
  }
}
