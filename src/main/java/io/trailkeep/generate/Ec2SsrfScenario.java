package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Instance;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Instant;
import java.util.List;

/**
 * A web server with an SSRF flaw: the attacker's address scans the instance (a dozen ports
 * rejected), reaches the web port (accepted flows), makes the application fetch the instance role's
 * credentials from the metadata service, and uses them from outside AWS to list and download a
 * bucket. GuardDuty reports InstanceCredentialExfiltration.OutsideAWS. MITRE ATT&amp;CK: T1595.001,
 * T1190, T1552.005, T1078.004, T1530.
 */
final class Ec2SsrfScenario implements Scenario {
  static final String NAME = "ec2-ssrf-credential-theft";
  static final String ATTACKER_IP = "203.0.113.101";
  static final String AGENT = "aws-cli/2.13.25 Python/3.11.5 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 "
      + "prompt/off command/s3.cp";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account a = ScenarioSteps.account(c, 0);
    Principal role = ScenarioSteps.principal(a, PrincipalKind.INSTANCE, p -> p.instance.publicIp != null);
    Instance inst = role.instance;
    ScenarioSteps s = new ScenarioSteps(c, NAME, ATTACKER_IP, AGENT);
    Instant t = ScenarioSteps.at(c, 0.30);
    long start = t.getEpochSecond();
    int[] ports = {21, 22, 23, 25, 110, 139, 445, 1433, 3306, 3389, 5432, 8443};
    for (int i = 0; i < ports.length; i++) {
      s.flow(a, inst, start + 2L * i, "ingress", ATTACKER_IP, inst.privateIp, 41000 + i, ports[i], 1,
          44, "REJECT");
    }
    for (int i = 0; i < 4; i++) {
      long at = start + 120 + 60L * i;
      s.flow(a, inst, at, "ingress", ATTACKER_IP, inst.privateIp, 52000 + i, 80, 12, 2400, "ACCEPT");
      s.flow(a, inst, at, "egress", inst.privateIp, ATTACKER_IP, 80, 52000 + i, 10, 9800, "ACCEPT");
    }
    // the role's own use, from the instance's address, before the theft
    s.sourceIp = role.sourceIps.get(0);
    s.userAgent = role.userAgent;
    String bucket = a.buckets.get(0);
    s.call("normal_use", role, inst.region, t.minusSeconds(3000), "s3:ListBuckets", "{}");
    s.call("normal_use", role, inst.region, t.minusSeconds(2900), "s3:GetObject",
        "{\"bucketName\":" + ScenarioSteps.q(bucket) + ",\"key\":\"config/app.json\"}");
    // the stolen credentials (the session the metadata service handed out during the SSRF), from
    // outside AWS
    Principal stolen = role.pinnedAt(t.plusSeconds(300));
    s.sourceIp = ATTACKER_IP;
    s.userAgent = AGENT;
    Instant u = t.plusSeconds(600);
    s.call("credential_use", stolen, inst.region, u, "sts:GetCallerIdentity", "{}");
    s.call("credential_use", stolen, inst.region, u.plusSeconds(20), "s3:ListBuckets", "{}");
    s.call("exfiltration", stolen, inst.region, u.plusSeconds(45), "s3:ListObjects",
        "{\"bucketName\":" + ScenarioSteps.q(bucket) + ",\"list-type\":\"2\",\"prefix\":\"\"}");
    for (int i = 0; i < 15; i++) {
      s.call("exfiltration", stolen, inst.region, u.plusSeconds(60 + 7L * i), "s3:GetObject",
          "{\"bucketName\":" + ScenarioSteps.q(bucket) + ",\"key\":\"exports/customers-" + i + ".csv\"}");
    }
    String findingId = s.finding(a, "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
        FindingFactory.Resource.ACCESS_KEY, 8.0, stolen, inst, inst.region, u.plusSeconds(900), 2);
    s.entity("instance_id", inst.id).entity("instance_role_session_key", stolen.accessKeyAt(u))
        .entity("role_arn", "arn:aws:iam::" + a.id + ":role/" + role.roleName)
        .entity("attacker_ip", ATTACKER_IP).entity("bucket", bucket).entity("finding_id", findingId);
    return s.planned(a, inst.region, List.of("T1595.001", "T1190", "T1552.005", "T1078.004", "T1530"),
        List.of("instance-credentials-used-outside-aws", "vpc-rejected-scan-then-accepted",
            "guardduty-high-severity-finding", "guardduty-finding-on-alerted-entity"),
        List.of("new-network-for-principal", "new-user-agent-for-principal"), List.of());
  }
}
