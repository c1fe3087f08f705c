package io.trailkeep.storage;

import io.trailkeep.conf.ConfException;

import io.trailkeep.storage.RawStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link RawStore} over S3 with the AWS SDK v2: delimiter listings for the layout's levels,
 * StartAfter for day prefixes, and an exact count of LIST requests (one per page). Paths come back
 * as {@code s3a://bucket/key} so Spark reads them through s3a.
 */
public final class S3RawStore implements RawStore {
  private final String root;
  private final String bucket;
  private final S3Client s3;
  private final AtomicLong lists = new AtomicLong();

  public S3RawStore(String root, Configuration hadoop) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.bucket = S3Clients.bucketAndKey(this.root)[0];
    if (bucket == null || bucket.isEmpty()) {
      throw new ConfException("raw root " + root + " has no bucket; use s3a://bucket/prefix");
    }
    this.s3 = S3Clients.create(hadoop, bucket);
  }

  @Override
  public String root() {
    return root;
  }

  private String key(String dir) {
    return S3Clients.bucketAndKey(dir)[1];
  }

  private String uri(String key) {
    return "s3a://" + bucket + "/" + key;
  }

  @Override
  public boolean exists(String dir) {
    String prefix = key(dir);
    ListObjectsV2Response r = call(ListObjectsV2Request.builder().bucket(bucket)
        .prefix(prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/").maxKeys(1).build(), dir);
    return r.keyCount() != null && r.keyCount() > 0;
  }

  @Override
  public List<String> childDirs(String dir) {
    List<String> out = new ArrayList<>();
    String prefix = key(dir);
    String token = null;
    do {
      ListObjectsV2Response r = call(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix)
          .delimiter("/").continuationToken(token).build(), dir);
      for (CommonPrefix p : r.commonPrefixes()) {
        out.add(uri(p.prefix()));
      }
      token = r.isTruncated() ? r.nextContinuationToken() : null;
    } while (token != null);
    return out;
  }

  @Override
  public void listFiles(String dir, String startAfter, Consumer<Entry> out) {
    String prefix = key(dir);
    String token = null;
    do {
      ListObjectsV2Request.Builder b = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix)
          .continuationToken(token);
      if (token == null && startAfter != null) {
        b = b.startAfter(key(startAfter));
      }
      ListObjectsV2Response r = call(b.build(), dir);
      for (S3Object o : r.contents()) {
        if (!o.key().endsWith("/")) {
          out.accept(new Entry(uri(o.key()), o.size(), o.lastModified().toEpochMilli()));
        }
      }
      token = r.isTruncated() ? r.nextContinuationToken() : null;
    } while (token != null);
  }

  private ListObjectsV2Response call(ListObjectsV2Request req, String what) {
    lists.incrementAndGet();
    try {
      return s3.listObjectsV2(req);
    } catch (NoSuchBucketException e) {
      throw new ConfException("bucket '" + bucket + "' does not exist (raw root " + root + ")");
    } catch (S3Exception e) {
      if (e.statusCode() == 403) {
        throw new ConfException("access denied listing " + what + "; check the credentials (AWS "
            + "default provider chain or aws.profile) and the bucket policy");
      }
      throw new StorageException("cannot list " + what + ": " + e.getMessage(), e);
    } catch (SdkException e) {
      throw new StorageException("cannot list " + what + " (S3 unreachable?): " + e.getMessage(), e);
    }
  }

  @Override
  public long listRequests() {
    return lists.get();
  }

  @Override
  public void close() {
    s3.close();
  }
}
