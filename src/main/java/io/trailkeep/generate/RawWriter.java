package io.trailkeep.generate;

import io.trailkeep.json.Json;
import io.trailkeep.storage.AwsLogKeys;
import io.trailkeep.storage.S3Clients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes generated objects under a raw root (a local folder or s3a://), exactly as AWS stores
 * them: gzip bodies, and for digests the signature in the object's user metadata on S3, or in a
 * sidecar file next to the digest in a folder ({@link AwsLogKeys#DIGEST_SIDECAR_SUFFIX}). Not
 * thread-safe; closes its S3 client.
 */
final class RawWriter implements AutoCloseable {
  private final String root;
  private final FileSystem fs;
  private final Configuration hadoop;
  private S3Client s3;

  RawWriter(Configuration hadoop, String root) {
    this.root = root;
    this.hadoop = hadoop;
    try {
      this.fs = new Path(root).getFileSystem(hadoop);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + root + ": " + e.getMessage(), e);
    }
    fs.setWriteChecksum(false);
  }

  String root() {
    return root;
  }

  /** The bucket a key of this root lives in (the root's bucket on S3, a stand-in name locally). */
  String bucket(String fallback) {
    return S3Clients.isS3(root) ? S3Clients.bucketAndKey(root)[0] : fallback;
  }

  /** The object key (in the bucket) of {@code key} under the root. */
  String objectKey(String key) {
    if (!S3Clients.isS3(root)) {
      return key;
    }
    String prefix = S3Clients.bucketAndKey(root)[1];
    return prefix.isEmpty() ? key : (prefix.endsWith("/") ? prefix : prefix + "/") + key;
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(body.length / 6 + 64);
    try (OutputStream gz = new GZIPOutputStream(buf, 1 << 16)) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  /** Writes gzip({@code body}) at {@code key}; returns the stored size. */
  long gzipped(String key, byte[] body) {
    byte[] stored = gzip(body);
    bytes(key, stored);
    return stored.length;
  }

  /** Writes {@code bytes} at {@code key} as they are. */
  void bytes(String key, byte[] bytes) {
    try (OutputStream out = fs.create(new Path(root + "/" + key), true)) {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + root + "/" + key + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a gzip object with S3 user metadata (names without {@code x-amz-meta-}): on S3 as the
   * object's metadata, in a folder as a sidecar JSON file. Returns the stored size.
   */
  long withMetadata(String key, byte[] body, Map<String, String> metadata) {
    byte[] stored = gzip(body);
    if (S3Clients.isS3(root)) {
      if (s3 == null) {
        s3 = S3Clients.create(hadoop, S3Clients.bucketAndKey(root)[0]);
      }
      s3.putObject(r -> r.bucket(S3Clients.bucketAndKey(root)[0]).key(objectKey(key))
          .metadata(metadata), RequestBody.fromBytes(stored));
    } else {
      bytes(key, stored);
      Map<String, String> sidecar = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        sidecar.put("x-amz-meta-" + e.getKey(), e.getValue());
      }
      bytes(key + AwsLogKeys.DIGEST_SIDECAR_SUFFIX,
          (Json.pretty(sidecar) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return stored.length;
  }

  @Override
  public void close() {
    if (s3 != null) {
      s3.close();
    }
  }
}
