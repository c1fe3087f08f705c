package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Instance;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Lateral movement through Systems Manager: a power-user session from an unfamiliar address runs
 * a shell script on instances (SendCommand) and opens a session on one, which then connects to its
 * neighbours over SSH, SMB and RDP (flow logs). MITRE ATT&amp;CK: T1651, T1021.007, T1021.004.
 */
final class SsmLateralMovementScenario implements Scenario {
  static final String NAME = "ssm-lateral-movement";
  static final String ATTACKER_IP = "203.0.113.108";
  static final String AGENT = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.1.0 exe/x86_64 prompt/off command/ssm.send-command";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account a = ScenarioSteps.account(c, 1);
    Principal who = ScenarioSteps.principal(a, PrincipalKind.SSO_USER, p -> p.roleName.contains("PowerUser"));
    ScenarioSteps s = new ScenarioSteps(c, NAME, ATTACKER_IP, AGENT);
    Instance first = a.instances.get(0);
    List<Instance> targets = new ArrayList<>();
    for (Instance i : a.instances) {
      if (i.region.equals(first.region)) {
        targets.add(i);
      }
    }
    String region = first.region;
    Instant t = ScenarioSteps.at(c, 0.55);
    s.call("discovery", who, region, t, "ssm:DescribeInstanceInformation", "{}");
    StringBuilder ids = new StringBuilder();
    for (Instance i : targets) {
      ids.append(ids.length() == 0 ? "" : ",").append('"').append(i.id).append('"');
    }
    s.call("execution", who, region, t.plusSeconds(60), "ssm:SendCommand",
        "{\"instanceIds\":[" + ids + "],\"documentName\":\"AWS-RunShellScript\",\"interactive\":false,"
            + "\"parameters\":\"HIDDEN_DUE_TO_SECURITY_REASONS\"}",
        "{\"command\":{\"commandId\":\"" + Ids.uuid(c.random) + "\",\"documentName\":\"AWS-RunShellScript\"}}", null);
    s.call("lateral_movement", who, region, t.plusSeconds(180), "ssm:StartSession",
        "{\"target\":\"" + first.id + "\"}", "{\"sessionId\":\"" + who.sessionName.replace('@', '-') + "-"
            + Ids.hex(c.random, 17) + "\",\"tokenValue\":\"Value hidden due to security reasons.\"}", null);
    long f = t.plusSeconds(300).getEpochSecond();
    int n = 0;
    for (Instance other : a.instances) {
      if (other == first) {
        continue;
      }
      for (int port : new int[] {22, 445, 3389}) {
        s.flow(a, first, f + 20L * n, "egress", first.privateIp, other.privateIp, 50100 + n, port, 10, 1800, "ACCEPT");
        if (other.region.equals(first.region)) {
          s.flow(a, other, f + 20L * n, "ingress", first.privateIp, other.privateIp, 50100 + n, port, 10, 1800,
              "ACCEPT");
        }
        n++;
      }
    }
    s.entity("attacker_ip", ATTACKER_IP).entity("principal_arn",
        "arn:aws:iam::" + a.id + ":role/aws-reserved/sso.amazonaws.com/" + who.roleName)
        .entity("access_key_id", who.accessKeyAt(t)).entity("first_instance_id", first.id);
    return s.planned(a, region, List.of("T1651", "T1021.007", "T1021.004"),
        List.of("ssm-send-command", "ssm-start-session"),
        List.of("new-network-for-principal", "new-user-agent-for-principal"), List.of());
  }
}
