package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Instance;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Instant;
import java.util.List;

/**
 * Crypto mining with a leaked deployment key: a key pair and a security group open to the world on
 * SSH, GPU instances launched at home and in two regions the organization never uses, the home
 * miner talking to a Stratum pool on port 3333 (flow logs), and GuardDuty's BitcoinTool finding.
 * MITRE ATT&amp;CK: T1078.004, T1496.001, T1535, T1562.007.
 */
final class CryptoMiningScenario implements Scenario {
  static final String NAME = "crypto-mining";
  static final String ATTACKER_IP = "203.0.113.104";
  static final String AGENT = "aws-cli/1.18.69 Python/2.7.18 Linux/4.14.186-146.268.amzn2.x86_64 botocore/1.17.12";
  /** Regions no generated account uses (Org.ALL_REGIONS does not list them). */
  static final List<String> UNUSED_REGIONS = List.of("ap-northeast-3", "sa-east-1");
  static final String POOL_IP = "198.18.47.20";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account a = ScenarioSteps.account(c, 2);
    Principal key = ScenarioSteps.principal(a, PrincipalKind.IAM_USER, p -> p.name.equals("ci-deployer"));
    ScenarioSteps s = new ScenarioSteps(c, NAME, ATTACKER_IP, AGENT);
    // the miner runs beside an existing instance, so its flows go to a VPC with flow logs
    Instance near = a.instances.get(0);
    for (Instance i : a.instances) {
      near = i.region.equals("us-east-1") ? i : near;
    }
    String home = near.region;
    Instance miner = new Instance("i-" + Ids.hex(c.random, 17), "eni-" + Ids.hex(c.random, 17),
        near.privateIp.substring(0, near.privateIp.lastIndexOf('.') + 1) + "250", null, home,
        near.vpcId, near.subnetId);
    Instant t = ScenarioSteps.at(c, 0.70);
    s.call("discovery", key, home, t, "ec2:DescribeRegions", "{\"regionSet\":{}}");
    s.call("resource_development", key, home, t.plusSeconds(30), "ec2:CreateKeyPair", "{\"keyName\":\"m1\"}");
    String group = "sg-" + Ids.hex(c.random, 17);
    s.call("defense_evasion", key, home, t.plusSeconds(50), "ec2:CreateSecurityGroup",
        "{\"groupName\":\"m1-ssh\",\"groupDescription\":\"m1\"}", "{\"_return\":true,\"groupId\":\"" + group + "\"}", null);
    s.call("defense_evasion", key, home, t.plusSeconds(60), "ec2:AuthorizeSecurityGroupIngress",
        "{\"groupId\":\"" + group + "\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\",\"fromPort\":22,"
            + "\"toPort\":22,\"groups\":{},\"ipRanges\":{\"items\":[{\"cidrIp\":\"0.0.0.0/0\"}]},"
            + "\"ipv6Ranges\":{},\"prefixListIds\":{}}]}}");
    s.call("impact", key, home, t.plusSeconds(90), "ec2:RunInstances", runInstances("p3.2xlarge", 4, group),
        "{\"instancesSet\":{\"items\":[{\"instanceId\":\"" + miner.id + "\",\"instanceType\":\"p3.2xlarge\","
            + "\"privateIpAddress\":\"" + miner.privateIp + "\",\"networkInterfaceSet\":{\"items\":[{"
            + "\"networkInterfaceId\":\"" + miner.eni + "\",\"privateIpAddress\":\"" + miner.privateIp + "\"}]}}]}}",
        null);
    int n = 0;
    for (String region : UNUSED_REGIONS) {
      s.call("impact", key, region, t.plusSeconds(150 + 40L * n++), "ec2:RunInstances",
          runInstances("g4dn.12xlarge", 8, "default"), null, null);
    }
    long f = t.plusSeconds(600).getEpochSecond();
    for (int i = 0; i < 10; i++) {
      s.flow(a, miner, f + 300L * i, "egress", miner.privateIp, POOL_IP, 48000 + i, 3333, 120, 36000, "ACCEPT");
      s.flow(a, miner, f + 300L * i, "ingress", POOL_IP, miner.privateIp, 3333, 48000 + i, 110, 52000, "ACCEPT");
    }
    String findingId = s.finding(a, "CryptoCurrency:EC2/BitcoinTool.B!DNS", FindingFactory.Resource.INSTANCE,
        8.0, key, miner, home, t.plusSeconds(1800), 2);
    s.entity("attacker_ip", ATTACKER_IP).entity("access_key_id", key.accessKeyId)
        .entity("miner_instance_id", miner.id).entity("miner_private_ip", miner.privateIp)
        .entity("pool_ip", POOL_IP).entity("unused_regions", UNUSED_REGIONS).entity("finding_id", findingId);
    return s.planned(a, home, List.of("T1078.004", "T1496.001", "T1535", "T1562.007"),
        List.of("ec2-unusual-instance-type", "security-group-open-to-world-admin-port",
            "cis-security-group-changed", "vpc-flow-mining-pool-port", "guardduty-high-severity-finding"),
        List.of("first-region-for-account", "first-region-for-principal", "instances-launched-in-new-region"),
        List.of());
  }

  private static String runInstances(String type, int count, String group) {
    return "{\"instancesSet\":{\"items\":[{\"imageId\":\"ami-0c7217cdde317cfec\",\"minCount\":" + count
        + ",\"maxCount\":" + count + ",\"keyName\":\"m1\"}]},\"groupSet\":{\"items\":[{\"groupId\":\""
        + group + "\"}]},\"instanceType\":\"" + type + "\",\"blockDeviceMapping\":{},\"monitoring\":"
        + "{\"enabled\":false},\"disableApiTermination\":false,\"disableApiStop\":false}";
  }
}
