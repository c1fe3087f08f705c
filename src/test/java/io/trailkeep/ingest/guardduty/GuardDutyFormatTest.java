package io.trailkeep.ingest.guardduty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.generate.FindingFactory;
import io.trailkeep.generate.Org;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.RecordJson;
import io.trailkeep.storage.RawFile;
import io.trailkeep.testing.CollectingSink;
import io.trailkeep.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** The GuardDuty export parser on its own: finding types, resource families, damage, losslessness. */
class GuardDutyFormatTest {

  static final RawFile FILE = RawFile.classify("/raw/AWSLogs/123456789012/GuardDuty/us-east-1/2026/"
      + "03/01/ec7b0b8c-5ec8-32ec-8e77-c738515b4f6f.jsonl.gz", 0, 0);
  static final Org ORG = Org.build(5, 2);
  static final Org.Account ACCOUNT = ORG.accounts.get(0);
  static final String REMOTE = "198.51.100.23";

  static CollectingSink parse(List<String> lines) {
    CollectingSink c = new CollectingSink();
    byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    new GuardDutyFormat().parse(FILE, bytes, bytes.length, c);
    return c;
  }

  static Object col(Object[] row, String column) {
    return row[GuardDutyTable.SCHEMA.fieldIndex(column)];
  }

  static FindingFactory.Spec spec(String type, FindingFactory.Resource resource, double severity) {
    FindingFactory.Spec s = new FindingFactory.Spec();
    s.type = type;
    s.resource = resource;
    s.severity = severity;
    s.account = ACCOUNT;
    s.principal = ACCOUNT.principals.get(0);
    s.instance = ACCOUNT.instances.get(0);
    s.createdAt = Instant.parse("2026-03-01T10:15:30.125Z");
    s.updatedAt = Instant.parse("2026-03-01T16:15:30.500Z");
    s.count = 7;
    s.remoteIp = REMOTE;
    return s;
  }

  static void assertLossless(List<String> lines, CollectingSink c) {
    for (int i = 0; i < lines.size(); i++) {
      Object[] values = Arrays.copyOf(c.records.get(i), GuardDutyTable.FINDING.width());
      assertEquals(RecordJson.parse(lines.get(i)),
          RecordJson.toJson(GuardDutyTable.FINDING, RowFactory.create(values)), "line " + (i + 1));
    }
  }

  @Test
  void everyDocumentedFindingTypeIngestsWithItsTypePartsAndBand() {
    List<String> lines = new ArrayList<>();
    List<String[]> rows = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(3);
    for (String row : Fixtures.resource("/fixtures/aws-doc-examples/guardduty_finding_types_2022.csv")
        .split("\n")) {
      String[] f = row.split(",", -1);
      if (f[0].equals("finding_type")) {
        continue;
      }
      // "Low*" = varies, usually low; retired types have no severity listed (medium here)
      f[3] = f[3].isEmpty() ? "Medium" : f[3].replace("*", "");
      double severity = f[3].equals("Low") ? 2.0 : f[3].equals("Medium") ? 5.0 : 8.0;
      FindingFactory.Spec s = spec(f[0], FindingFactory.resourceFor(f[0]), severity);
      s.sample = true;
      lines.add(new FindingFactory().write(s, r));
      rows.add(f);
    }
    assertEquals(92, lines.size());
    CollectingSink c = parse(lines);
    assertEquals(List.of(), c.quarantined);
    assertEquals(lines.size(), c.records.size());
    for (int i = 0; i < rows.size(); i++) {
      Object[] row = c.records.get(i);
      String type = rows.get(i)[0];
      String rebuilt = col(row, "threat_purpose") + ":" + col(row, "resource_type_affected") + "/"
          + col(row, "threat_family")
          + (col(row, "detection_mechanism") == null ? "" : "." + col(row, "detection_mechanism"))
          + (col(row, "artifact") == null ? "" : "!" + col(row, "artifact"));
      assertEquals(type, rebuilt);
      assertEquals(rows.get(i)[3].toLowerCase(Locale.ROOT), col(row, "severity_band"), type);
      assertEquals(true, col(row, "sample"));
    }
    assertLossless(lines, c);
  }

  @Test
  void typeSplitAndBands() {
    assertArrayEquals(new String[] {"Trojan", "EC2", "DGADomainRequest", "C", "DNS"},
        FindingDerived.splitType("Trojan:EC2/DGADomainRequest.C!DNS"));
    assertArrayEquals(new String[] {"UnauthorizedAccess", "IAMUser", "InstanceCredentialExfiltration",
        "OutsideAWS", null}, FindingDerived.splitType(
            "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"));
    assertArrayEquals(new String[] {"Backdoor", "EC2", "C&CActivity", "B", null},
        FindingDerived.splitType("Backdoor:EC2/C&CActivity.B"));
    assertArrayEquals(new String[] {null, null, "Unexpected", null, null},
        FindingDerived.splitType("Unexpected"));
    assertEquals("low", FindingDerived.band(3.9));
    assertEquals("medium", FindingDerived.band(4.0));
    assertEquals("high", FindingDerived.band(8.9));
    assertEquals("critical", FindingDerived.band(9.0));
  }

  @Test
  void eachResourceFamilyYieldsItsEntityColumns() {
    List<String> lines = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(4);
    for (FindingFactory.Resource res : FindingFactory.Resource.values()) {
      lines.add(new FindingFactory().write(spec(FindingFactory.typicalType(res), res, 8.0), r));
    }
    lines.add(new FindingFactory().write(spec("CryptoCurrency:EC2/BitcoinTool.B!DNS",
        FindingFactory.Resource.INSTANCE, 8.0), r));
    CollectingSink c = parse(lines);
    assertEquals(List.of(), c.quarantined);
    Org.Principal p = ACCOUNT.principals.get(0);
    Org.Instance inst = ACCOUNT.instances.get(0);
    for (Object[] row : c.records) {
      assertEquals("high", col(row, "severity_band"));
      assertEquals(7L, col(row, "finding_count"));
      assertEquals(Timestamp.from(Instant.parse("2026-03-01T16:15:30.500Z")), col(row, "updatedAt"));
      assertEquals(ACCOUNT.id, col(row, "account_id"));
      assertEquals(Date.valueOf("2026-03-01"), col(row, "event_date"));
      assertEquals(false, col(row, "archived"));
      assertNotNull(col(row, "first_seen"));
    }
    Object[] key = c.records.get(0);
    assertEquals("AccessKey", col(key, "resource_type"));
    assertEquals(p.accessKeyId, col(key, "access_key_id"));
    assertEquals(p.name, col(key, "user_name"));
    assertEquals("arn:aws:iam::" + ACCOUNT.id + ":user/" + p.name, col(key, "principal_arn"));
    assertEquals("AWS_API_CALL", col(key, "action_type"));
    assertArrayEquals(new String[] {REMOTE}, (String[]) col(key, "remote_ips"));

    Object[] ec2 = c.records.get(1);
    assertEquals("Instance", col(ec2, "resource_type"));
    assertEquals(inst.id, col(ec2, "instance_id"));
    assertArrayEquals(new String[] {inst.eni}, (String[]) col(ec2, "eni_ids"));
    assertArrayEquals(new String[] {inst.privateIp}, (String[]) col(ec2, "private_ips"));
    assertArrayEquals(inst.publicIp == null ? new String[0] : new String[] {inst.publicIp},
        (String[]) col(ec2, "public_ips"));
    assertArrayEquals(new String[] {REMOTE}, (String[]) col(ec2, "remote_ips"));
    assertEquals("NETWORK_CONNECTION", col(ec2, "action_type"));

    Object[] s3 = c.records.get(2);
    assertEquals("S3Bucket", col(s3, "resource_type"));
    String[] buckets = (String[]) col(s3, "bucket_names");
    assertEquals(1, buckets.length);
    assertTrue(ACCOUNT.buckets.contains(buckets[0]));
    assertEquals(p.accessKeyId, col(s3, "access_key_id"));

    Object[] eks = c.records.get(3);
    assertEquals("EKSCluster", col(eks, "resource_type"));
    assertEquals(ACCOUNT.name + "-eks", col(eks, "cluster_name"));
    assertTrue(((String) col(eks, "pod_name")).startsWith("builder-"));
    assertEquals("system:serviceaccount:default:builder", col(eks, "user_name"));
    assertArrayEquals(new String[] {REMOTE}, (String[]) col(eks, "remote_ips"));

    assertEquals("Lambda", col(c.records.get(4), "resource_type"));
    assertArrayEquals(new String[] {REMOTE}, (String[]) col(c.records.get(4), "remote_ips"));
    Object[] rds = c.records.get(5);
    assertEquals("RDSDBInstance", col(rds, "resource_type"));
    assertEquals("app_admin", col(rds, "user_name"));
    assertEquals("RDS_LOGIN_ATTEMPT", col(rds, "action_type"));
    assertEquals(ACCOUNT.name + "-ecs", col(c.records.get(6), "cluster_name"));
    assertEquals("ECSCluster", col(c.records.get(6), "resource_type"));
    assertEquals("Container", col(c.records.get(7), "resource_type"));
    assertEquals(inst.id, col(c.records.get(7), "instance_id"));
    Object[] runtime = c.records.get(8);
    assertEquals("Runtime", col(runtime, "resource_type_affected"));
    assertEquals(ACCOUNT.name + "-eks", col(runtime, "cluster_name"));
    assertArrayEquals(new String[] {"pool.example-miner.net"}, (String[]) col(c.records.get(9), "domains"));
    assertEquals("DNS", col(c.records.get(9), "artifact"));
    assertLossless(lines, c);
  }

  @Test
  void badLinesAreQuarantinedWithoutLosingTheRestOfTheFile() {
    String good = new FindingFactory().write(spec("Recon:IAMUser/MaliciousIPCaller",
        FindingFactory.Resource.ACCESS_KEY, 5.0), new SplittableRandom(1));
    List<String> lines = List.of(good, "not json", "{\"type\":\"Recon:EC2/Portscan\"}",
        "{\"id\":\"abc\",\"updatedAt\":\"yesterday\"}", "[1,2]", "{} {}", "{\"id\":\"x\",", good);
    CollectingSink c = parse(lines);
    assertEquals(List.of(1, 8), c.positions);
    List<String> reasons = new ArrayList<>();
    for (String[] q : c.quarantined) {
      reasons.add(q[0] + " " + q[1].replaceAll(" at byte \\d+", ""));
      assertEquals(lines.get(Integer.parseInt(q[0]) - 1), q[2], "raw text kept");
      assertEquals("record", q[3]);
    }
    assertEquals(List.of("2 invalid JSON of the line", "3 finding has no id",
        "4 finding has no valid updatedAt", "5 line is not a JSON object",
        "6 line holds more than one JSON value", "7 invalid JSON of the line"), reasons);
  }
}
