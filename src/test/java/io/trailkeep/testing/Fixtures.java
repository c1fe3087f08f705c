package io.trailkeep.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Named factories for raw CloudTrail objects laid out as in the bucket. */
public final class Fixtures {
  private Fixtures() {}

  public static final String ACCOUNT = "111122223333";
  public static final String REGION = "us-east-1";

  /** The key of a CloudTrail log file delivered at {@code stamp} (yyyyMMddTHHmmZ). */
  public static String logKey(String account, String region, String stamp, String unique) {
    String day = stamp.substring(0, 4) + "/" + stamp.substring(4, 6) + "/" + stamp.substring(6, 8);
    return "AWSLogs/" + account + "/CloudTrail/" + region + "/" + day + "/" + account + "_CloudTrail_"
        + region + "_" + stamp + "_" + unique + ".json.gz";
  }

  /** A minimal, valid management event. */
  public static String record(String eventId, String eventTime, String eventName) {
    return "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"
        + "\"AIDAEXAMPLE\",\"arn\":\"arn:aws:iam::" + ACCOUNT + ":user/alice\",\"accountId\":\"" + ACCOUNT
        + "\",\"accessKeyId\":\"AKIAEXAMPLE000000001\",\"userName\":\"alice\"},\"eventTime\":\""
        + eventTime + "\",\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"" + eventName
        + "\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.7\",\"userAgent\":\"aws-cli/2\","
        + "\"requestParameters\":{\"maxResults\":5},\"responseElements\":null,\"requestID\":\"r-" + eventId
        + "\",\"eventID\":\"" + eventId + "\",\"readOnly\":true,\"eventType\":\"AwsApiCall\","
        + "\"managementEvent\":true,\"recipientAccountId\":\"" + ACCOUNT + "\",\"eventCategory\":\"Management\"}";
  }

  /** {"Records":[...]} of the given record texts. */
  public static String body(List<String> records) {
    return "{\"Records\":[" + String.join(",", records) + "]}";
  }

  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  /** Writes gzip(text) at root/key. */
  public static Path writeGzip(Path root, String key, String text) {
    return writeBytes(root, key, gzip(text.getBytes(StandardCharsets.UTF_8)));
  }

  public static Path writeBytes(Path root, String key, byte[] bytes) {
    Path p = root.resolve(key);
    try {
      Files.createDirectories(p.getParent());
      Files.write(p, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** A classpath resource as text. */
  public static String resource(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The 29 records of the AWS CloudTrail User Guide, as one log body. */
  public static String docExamples() {
    return resource("/fixtures/aws-doc-examples/cloudtrail_doc_examples.records.json");
  }
}
