package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Instant;
import java.util.List;

/**
 * Ransomware for S3 with a stolen user key: versioning suspended, objects copied to the attacker's
 * bucket in another account, re-encrypted in place under the attacker's KMS key, the originals
 * deleted in bulk, and a ransom note written. MITRE ATT&amp;CK: T1078.004, T1490, T1537, T1486, T1485.
 */
final class S3RansomwareScenario implements Scenario {
  static final String NAME = "s3-ransomware";
  static final String ATTACKER_IP = "203.0.113.103";
  static final String AGENT = "Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#5.15.0 md/arch#x86_64 "
      + "lang/python#3.10.12";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account a = ScenarioSteps.account(c, 3);
    Principal victim = ScenarioSteps.principal(a, PrincipalKind.IAM_USER, p -> !p.name.equals("ci-deployer"));
    ScenarioSteps s = new ScenarioSteps(c, NAME, ATTACKER_IP, AGENT);
    String region = "us-east-1";
    String bucket = a.buckets.get(0);
    String b = ScenarioSteps.q(bucket);
    String drop = "recovery-" + Ids.lower(c.random, 8);
    String foreignKey = "arn:aws:kms:us-east-1:" + ScenarioSteps.FOREIGN_ACCOUNT + ":key/" + Ids.uuid(c.random);
    Instant t = ScenarioSteps.at(c, 0.62);
    s.call("discovery", victim, region, t, "s3:ListBuckets", "{}");
    s.call("discovery", victim, region, t.plusSeconds(15), "s3:GetBucketVersioning", "{\"bucketName\":" + b + ",\"versioning\":\"\"}");
    s.call("inhibit_recovery", victim, region, t.plusSeconds(40), "s3:PutBucketVersioning",
        "{\"bucketName\":" + b + ",\"versioning\":\"\",\"VersioningConfiguration\":{\"Status\":\"Suspended\"}}");
    Instant x = t.plusSeconds(120);
    for (int i = 0; i < 20; i++) {
      String key = "records/" + i + ".parquet";
      s.call("exfiltration", victim, region, x.plusSeconds(3L * i), "s3:CopyObject",
          "{\"bucketName\":" + ScenarioSteps.q(drop) + ",\"key\":" + ScenarioSteps.q(bucket + "/" + key)
              + ",\"x-amz-copy-source\":" + ScenarioSteps.q(bucket + "/" + key) + "}", null,
          spec -> spec.resourcesJson = "[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::" + bucket + "/"
              + key + "\"},{\"accountId\":\"" + a.id + "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::"
              + bucket + "\"},{\"accountId\":\"" + ScenarioSteps.FOREIGN_ACCOUNT
              + "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::" + drop + "\"}]");
    }
    Instant e = x.plusSeconds(120);
    for (int i = 0; i < 20; i++) {
      String key = "records/" + i + ".parquet";
      s.call("impact_encryption", victim, region, e.plusSeconds(3L * i), "s3:CopyObject",
          "{\"bucketName\":" + b + ",\"key\":" + ScenarioSteps.q(key) + ",\"x-amz-copy-source\":"
              + ScenarioSteps.q(bucket + "/" + key) + ",\"x-amz-server-side-encryption\":\"aws:kms\","
              + "\"x-amz-server-side-encryption-aws-kms-key-id\":" + ScenarioSteps.q(foreignKey) + "}");
    }
    Instant d = e.plusSeconds(120);
    for (int i = 0; i < 120; i++) {
      s.call("impact_deletion", victim, region, d.plusSeconds(2L * i), "s3:DeleteObject",
          "{\"bucketName\":" + b + ",\"key\":\"records/" + (i % 20) + ".parquet\",\"versionId\":\""
              + Ids.alnum(c.random, 32) + "\"}");
    }
    s.call("impact_deletion", victim, region, d.plusSeconds(300), "s3:PutObject",
        "{\"bucketName\":" + b + ",\"key\":\"README-RECOVER-YOUR-DATA.txt\"}");
    s.entity("attacker_ip", ATTACKER_IP).entity("access_key_id", victim.accessKeyId)
        .entity("user_arn", "arn:aws:iam::" + a.id + ":user/" + victim.name).entity("bucket", bucket)
        .entity("attacker_bucket", drop).entity("attacker_kms_key", foreignKey);
    return s.planned(a, region, List.of("T1078.004", "T1490", "T1537", "T1486", "T1485"),
        List.of("s3-versioning-suspended", "s3-cross-account-copy", "s3-foreign-kms-key",
            "s3-mass-object-deletion"),
        List.of("new-network-for-principal", "new-user-agent-for-principal", "call-volume-spike"),
        List.of());
  }
}
