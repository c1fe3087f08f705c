package io.trailkeep.testing;

import io.trailkeep.storage.LocalS3Server;
import io.trailkeep.storage.S3Clients;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * The S3-compatible server of the test JVM (s3proxy on 127.0.0.1 in its own process, signature
 * checking on), and the shared Spark session pointed at it through s3a. Started on first use,
 * stopped at JVM exit.
 */
public final class S3Fixture {
  private static LocalS3Server server;

  private S3Fixture() {}

  public static synchronized LocalS3Server server() {
    if (server == null) {
      server = LocalS3Server.start(null);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      configure(TestSpark.get().sparkContext().hadoopConfiguration(), server.endpoint());
    }
    return server;
  }

  /** Points a Hadoop configuration at {@code endpoint} with the local server's test identity. */
  public static void configure(Configuration c, String endpoint) {
    c.set("fs.s3a.endpoint", endpoint);
    c.set("fs.s3a.endpoint.region", "us-east-1");
    c.set("fs.s3a.path.style.access", "true");
    c.set("fs.s3a.connection.ssl.enabled", "false");
    c.set("fs.s3a.access.key", LocalS3Server.IDENTITY);
    c.set("fs.s3a.secret.key", LocalS3Server.CREDENTIAL);
    c.set("fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    c.set("fs.s3a.retry.interval", "100ms");
    c.set("fs.s3a.retry.throttle.interval", "100ms");
    c.set("fs.s3a.change.detection.mode", "none");
    c.setBoolean("fs.s3a.impl.disable.cache", false);
  }

  /** A new bucket with a unique name; returns its s3a:// root. */
  public static String bucket(String prefix) {
    server();
    String name = (prefix + "-" + Long.toHexString(System.nanoTime())).toLowerCase();
    Configuration c = TestSpark.get().sparkContext().hadoopConfiguration();
    // per-bucket endpoint: other tests (the S3 demo) may point the global endpoint elsewhere
    c.set("fs.s3a.bucket." + name + ".endpoint", server.endpoint());
    try (S3Client s3 = S3Clients.create(c, name)) {
      s3.createBucket(CreateBucketRequest.builder().bucket(name).build());
    }
    return "s3a://" + name;
  }
}
