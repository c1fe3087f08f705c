package io.trailkeep.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.storage.AwsLogKeys.Kind;
import io.trailkeep.storage.AwsLogKeys.LogKey;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** Every key layout TrailKeep writes or reads, built and parsed back. */
class AwsLogKeysTest {
  private static final Instant T = Instant.parse("2026-03-01T23:58:00Z");
  private static final String ORG = "o-abcdefghij";
  private static final String ACCT = "111122223333";

  private static void roundTrip(String key, Kind kind, String org, String region, LocalDate day,
      Instant time) {
    LogKey k = AwsLogKeys.parse(key);
    assertEquals(kind, k.kind(), key);
    assertEquals(org, k.orgId(), key);
    assertEquals(ACCT, k.accountId(), key);
    assertEquals(region, k.region(), key);
    assertEquals(day, k.day(), key);
    assertEquals(time, k.time(), key);
    // a full path with a bucket and prefix parses the same
    assertEquals(k, AwsLogKeys.parse("s3a://bucket/some/prefix/" + key), key);
  }

  @Test
  void cloudTrailLogsPlainAndOrganizationTrails() {
    String plain = AwsLogKeys.cloudTrailLog(null, ACCT, "us-east-2", T, "Mu0KsOhtH1ar15ZZ");
    assertEquals("AWSLogs/111122223333/CloudTrail/us-east-2/2026/03/01/"
        + "111122223333_CloudTrail_us-east-2_20260301T2358Z_Mu0KsOhtH1ar15ZZ.json.gz", plain);
    roundTrip(plain, Kind.CLOUDTRAIL, null, "us-east-2", LocalDate.of(2026, 3, 1), T);
    String org = AwsLogKeys.cloudTrailLog(ORG, ACCT, "eu-west-1", T, "x");
    assertTrue(org.startsWith("AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/"), org);
    roundTrip(org, Kind.CLOUDTRAIL, ORG, "eu-west-1", LocalDate.of(2026, 3, 1), T);
  }

  @Test
  void insightsAndDigestsAndTheirSidecar() {
    String insight = AwsLogKeys.insight(ORG, ACCT, "us-east-1", T, "KL5e9VCV2SS7IqzB");
    roundTrip(insight, Kind.CLOUDTRAIL_INSIGHT, ORG, "us-east-1", LocalDate.of(2026, 3, 1), T);
    Instant end = Instant.parse("2015-08-17T15:01:31Z");
    String digest = AwsLogKeys.digest(null, ACCT, "us-east-2", "your-trail-name", "us-east-2", end);
    // the example key of the CloudTrail User Guide
    assertEquals("AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/"
        + "111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz",
        digest);
    roundTrip(digest, Kind.CLOUDTRAIL_DIGEST, null, "us-east-2", LocalDate.of(2015, 8, 17), end);
    LogKey d = AwsLogKeys.parse(digest);
    assertEquals("your-trail-name", d.trail());
    assertEquals("us-east-2", d.homeRegion());
    // a trail name with underscores and a different home region
    LogKey odd = AwsLogKeys.parse(AwsLogKeys.digest(ORG, ACCT, "ap-southeast-2", "org_trail_1",
        "us-east-1", end));
    assertEquals("org_trail_1", odd.trail());
    assertEquals("us-east-1", odd.homeRegion());
    assertEquals(Kind.DIGEST_SIGNATURE,
        AwsLogKeys.parse(digest + AwsLogKeys.DIGEST_SIDECAR_SUFFIX).kind());
  }

  @Test
  void flowLogsInEveryLayout() {
    Instant w = Instant.parse("2018-06-20T16:20:00Z");
    String plain = AwsLogKeys.flowLog(ACCT, "us-east-1", "fl-1234abcd", w, "fe123456", false, false,
        "log.gz");
    // the example key of the VPC user guide
    assertEquals("AWSLogs/111122223333/vpcflowlogs/us-east-1/2018/06/20/"
        + "111122223333_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz", plain);
    for (boolean hive : new boolean[] {false, true}) {
      for (boolean hourly : new boolean[] {false, true}) {
        for (String ext : new String[] {"log.gz", "log.parquet"}) {
          String key = AwsLogKeys.flowLog(ACCT, "us-east-1", "fl-1234abcd", w, "fe123456", hive,
              hourly, ext);
          roundTrip(key, Kind.VPCFLOW, null, "us-east-1", LocalDate.of(2018, 6, 20), w);
          LogKey k = AwsLogKeys.parse(key);
          assertEquals("fl-1234abcd", k.flowLogId(), key);
          assertEquals(hive, k.hive(), key);
          assertEquals(hourly, key.contains(hive ? "/hour=16/" : "/20/16/"), key);
        }
      }
    }
  }

  @Test
  void guardDutyExportsAndUnknownObjects() {
    String gd = AwsLogKeys.guardDuty(ACCT, "us-east-1", T, "ec7b0b8c-5ec8-32ec-8e77-c738515b4f6f");
    assertEquals("AWSLogs/111122223333/GuardDuty/us-east-1/2026/03/01/"
        + "ec7b0b8c-5ec8-32ec-8e77-c738515b4f6f.jsonl.gz", gd);
    roundTrip(gd, Kind.GUARDDUTY, null, "us-east-1", LocalDate.of(2026, 3, 1), null);
    assertEquals(Kind.UNKNOWN, AwsLogKeys.parse("AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/readme.txt").kind());
    assertEquals(Kind.UNKNOWN, AwsLogKeys.parse("ground-truth/x.json").kind());
  }

  @Test
  void startAfterSortsJustBeforeAMinuteOfTheDay() {
    String day = "s3a://b/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/";
    String last = day + AwsLogKeys.cloudTrailLog(null, ACCT, "us-east-1", T, "abc").substring(
        "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01/".length());
    LocalDateTime minute = AwsLogKeys.deliveryMinute(last).orElseThrow();
    assertEquals(LocalDateTime.of(2026, 3, 1, 23, 58), minute);
    String after = AwsLogKeys.startAfter(day, last, minute.minusHours(1)).orElseThrow();
    String earlier = day + "111122223333_CloudTrail_us-east-1_20260301T2257Z_zzz.json.gz";
    String later = day + "111122223333_CloudTrail_us-east-1_20260301T2258Z_aaa.json.gz";
    assertTrue(earlier.compareTo(after) < 0 && later.compareTo(after) > 0, after);
    assertFalse(AwsLogKeys.startAfter("s3a://b/AWSLogs/111122223333/GuardDuty/us-east-1/2026/03/01/",
        last, minute).isPresent(), "GuardDuty names do not sort by time");
  }
}
