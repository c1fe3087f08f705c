package io.trailkeep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.testing.TestSpark;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Session settings that must hold on both Spark generations. */
class SessionsTest {

  @Test
  void ansiModeIsPinnedOffSoHostileStringsDoNotFailQueries() {
    SparkSession spark = TestSpark.get();
    assertEquals("false", spark.conf().get("spark.sql.ansi.enabled"));
    assertEquals("UTC", spark.conf().get("spark.sql.session.timeZone"));
    // an attacker-controlled string cast to a number: null, not a failed job, on 3.5 and 4
    Row r = spark.sql("SELECT CAST('1; DROP TABLE x' AS INT) AS n, 1 / 0 AS d").first();
    assertTrue(r.isNullAt(0));
    assertTrue(r.isNullAt(1));
  }

  @Test
  void localMastersRebuildDeltaStateInOnePartitionPerCore() {
    assertEquals(1, Sessions.localCores("local"));
    assertEquals(2, Sessions.localCores("local[2]"));
    assertEquals(3, Sessions.localCores("local[3,4]"));
    assertEquals(Runtime.getRuntime().availableProcessors(), Sessions.localCores("local[*]"));
  }

  @Test
  void s3SettingsBecomeS3aConfigurationWithoutCredentials() {
    TrailkeepConf conf = TrailkeepConf.resolve(null, Map.of("s3.endpoint", "http://127.0.0.1:9000",
        "s3.path-style", "true", "s3.sse", "SSE-KMS", "s3.sse-kms-key", "key-1"));
    Configuration h = Sessions.hadoopConf(conf);
    assertEquals("http://127.0.0.1:9000", h.get("fs.s3a.endpoint"));
    assertEquals("true", h.get("fs.s3a.path.style.access"));
    assertEquals("false", h.get("fs.s3a.connection.ssl.enabled"));
    assertEquals("SSE-KMS", h.get("fs.s3a.encryption.algorithm"));
    assertEquals("key-1", h.get("fs.s3a.encryption.key"));
    assertEquals(null, h.get("fs.s3a.access.key"));
    assertEquals(null, h.get("fs.s3a.secret.key"));
  }

  @Test
  void aRoleFlagAssumesTheRoleForS3() {
    Configuration h = Sessions.hadoopConf(TrailkeepConf.resolve(null,
        Map.of("aws.role-arn", "arn:aws:iam::111122223333:role/trailkeep-reader")));
    assertEquals("org.apache.hadoop.fs.s3a.auth.AssumedRoleCredentialProvider",
        h.get("fs.s3a.aws.credentials.provider"));
    assertEquals("arn:aws:iam::111122223333:role/trailkeep-reader", h.get("fs.s3a.assumed.role.arn"));
    Assertions.assertThrows(ConfException.class, () -> Sessions.hadoopConf(
        TrailkeepConf.resolve(null, Map.of("aws.role-arn", "trailkeep-reader"))));
  }

  @Test
  void badS3SettingsAreUserErrors() {
    Executable kmsWithoutKey = () -> Sessions.hadoopConf(
        TrailkeepConf.resolve(null, Map.of("s3.sse", "SSE-KMS")));
    Executable unknownSse = () -> Sessions.hadoopConf(
        TrailkeepConf.resolve(null, Map.of("s3.sse", "rot13")));
    Assertions.assertThrows(ConfException.class, kmsWithoutKey);
    Assertions.assertThrows(ConfException.class, unknownSse);
  }
}
