package io.trailkeep.storage;

import io.trailkeep.spark.Sessions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Builds AWS SDK v2 S3 clients from the same s3a settings Spark uses (endpoint, region, path
 * style, retries), so listing and data access always agree. Credentials: the s3a static keys when
 * a test or the local demo server set them, else the named profile, else the default chain. No
 * credential is ever logged.
 */
public final class S3Clients {
  private S3Clients() {}

  /** A client for {@code bucket}, honouring s3a per-bucket overrides (fs.s3a.bucket.NAME.*). */
  public static S3Client create(Configuration hadoop, String bucket) {
    return create(forBucket(hadoop, bucket));
  }

  /** Copies {@code fs.s3a.bucket.<bucket>.X} over {@code fs.s3a.X}, as s3a does. */
  static Configuration forBucket(Configuration hadoop, String bucket) {
    Configuration c = new Configuration(hadoop);
    String prefix = "fs.s3a.bucket." + bucket + ".";
    for (Map.Entry<String, String> e : hadoop) {
      if (e.getKey().startsWith(prefix)) {
        c.set("fs.s3a." + e.getKey().substring(prefix.length()), e.getValue());
      }
    }
    return c;
  }

  public static S3Client create(Configuration hadoop) {
    String endpoint = hadoop.getTrimmed("fs.s3a.endpoint", "");
    String region = hadoop.getTrimmed("fs.s3a.endpoint.region", "us-east-1");
    boolean pathStyle = hadoop.getBoolean("fs.s3a.path.style.access", false);
    int attempts = hadoop.getInt("fs.s3a.attempts.maximum", 10);
    S3ClientBuilder b = S3Client.builder()
        .region(Region.of(region))
        .credentialsProvider(credentials(hadoop))
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)))
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(RetryMode.STANDARD)
            .retryPolicy(p -> p.numRetries(Math.max(0, attempts - 1)))
            .build())
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
    if (!endpoint.isEmpty()) {
      b = b.endpointOverride(URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint));
    }
    return b.build();
  }

  static AwsCredentialsProvider credentials(Configuration hadoop) {
    String role = hadoop.getTrimmed("fs.s3a.assumed.role.arn", "");
    if (!role.isEmpty()) {
      StsClient sts = StsClient
          .builder().region(Region.of(hadoop.getTrimmed("fs.s3a.endpoint.region", "us-east-1")))
          .credentialsProvider(baseCredentials(hadoop)).build();
      return StsAssumeRoleCredentialsProvider.builder()
          .stsClient(sts).refreshRequest(r -> r.roleArn(role).roleSessionName("trailkeep")).build();
    }
    return baseCredentials(hadoop);
  }

  private static AwsCredentialsProvider baseCredentials(Configuration hadoop) {
    String key = hadoop.getTrimmed("fs.s3a.access.key", "");
    String secret = hadoop.getTrimmed("fs.s3a.secret.key", "");
    if (!key.isEmpty() && !secret.isEmpty()) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret));
    }
    String profile = hadoop.getTrimmed(Sessions.PROFILE_KEY, System.getProperty("aws.profile", ""));
    if (!profile.isEmpty()) {
      return ProfileCredentialsProvider.create(profile);
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /** Splits {@code s3a://bucket/key/prefix} into bucket and key prefix (no leading slash). */
  public static String[] bucketAndKey(String uri) {
    URI u = URI.create(uri);
    String key = u.getPath() == null ? "" : u.getPath();
    while (key.startsWith("/")) {
      key = key.substring(1);
    }
    return new String[] {u.getHost(), key};
  }

  public static boolean isS3(String uri) {
    return uri.startsWith("s3a://") || uri.startsWith("s3://") || uri.startsWith("s3n://");
  }
}
