package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Instant;
import java.util.List;

/**
 * Blinding the defenders: an administrator session from an unfamiliar address deletes a subnet's
 * flow log, disables the GuardDuty detector of a secondary region, narrows the security team's
 * audit trail (event selectors, single region) and detaches DNS query logging from a VPC. The
 * objects touched are not the ones the generator draws data from, so the other sources stay
 * consistent. MITRE ATT&amp;CK: T1562.001, T1562.008.
 */
final class DefenseEvasionScenario implements Scenario {
  static final String NAME = "defense-evasion";
  static final String ATTACKER_IP = "203.0.113.107";
  static final String AGENT = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account a = ScenarioSteps.account(c, 0);
    Principal admin = ScenarioSteps.principal(a, PrincipalKind.SSO_USER,
        p -> p.roleName.contains("AdministratorAccess"));
    ScenarioSteps s = new ScenarioSteps(c, NAME, ATTACKER_IP, AGENT);
    Instant t = ScenarioSteps.at(c, 0.85);
    String trail = "arn:aws:cloudtrail:us-east-1:" + a.id + ":trail/security-audit";
    s.call("defense_evasion", admin, "us-east-1", t, "ec2:DeleteFlowLogs",
        "{\"DeleteFlowLogsRequest\":{\"FlowLogId\":{\"tag\":1,\"content\":\"fl-" + Ids.hex(c.random, 17) + "\"}}}",
        "{\"DeleteFlowLogsResponse\":{\"unsuccessful\":\"\",\"requestId\":\"" + Ids.uuid(c.random) + "\"}}", null);
    s.call("defense_evasion", admin, "eu-north-1", t.plusSeconds(40), "guardduty:UpdateDetector",
        "{\"detectorId\":\"" + Ids.hex(c.random, 32) + "\",\"enable\":false}");
    s.call("defense_evasion", admin, "us-east-1", t.plusSeconds(80), "cloudtrail:PutEventSelectors",
        "{\"trailName\":" + ScenarioSteps.q(trail) + ",\"eventSelectors\":[{\"readWriteType\":\"WriteOnly\","
            + "\"includeManagementEvents\":true,\"dataResources\":[],\"excludeManagementEventSources\":[]}]}");
    s.call("defense_evasion", admin, "us-east-1", t.plusSeconds(110), "cloudtrail:UpdateTrail",
        "{\"name\":" + ScenarioSteps.q(trail) + ",\"isMultiRegionTrail\":false}");
    s.call("defense_evasion", admin, "us-east-1", t.plusSeconds(150),
        "route53resolver:DisassociateResolverQueryLogConfig",
        "{\"resolverQueryLogConfigId\":\"rqlc-" + Ids.hex(c.random, 16) + "\",\"resourceId\":\""
            + a.instances.get(0).vpcId + "\"}");
    s.entity("attacker_ip", ATTACKER_IP).entity("principal_arn",
        "arn:aws:iam::" + a.id + ":role/aws-reserved/sso.amazonaws.com/" + admin.roleName)
        .entity("access_key_id", admin.accessKeyAt(t)).entity("trail_arn", trail);
    return s.planned(a, "us-east-1", List.of("T1562.001", "T1562.008"),
        List.of("vpc-flow-logs-deleted", "guardduty-detector-or-members-changed",
            "cloudtrail-trail-or-selectors-modified", "cis-cloudtrail-configuration-changed",
            "dns-query-logging-deleted"),
        List.of("new-network-for-principal", "new-user-agent-for-principal", "first-region-for-principal"),
        List.of());
  }
}
