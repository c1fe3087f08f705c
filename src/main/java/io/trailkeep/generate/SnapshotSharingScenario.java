package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Instance;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Instant;
import java.util.List;

/**
 * Data theft by sharing: an Identity Center session from an unfamiliar address snapshots a volume,
 * images an instance and snapshots a database, then shares all three with an account outside the
 * organization. MITRE ATT&amp;CK: T1078.004, T1537.
 */
final class SnapshotSharingScenario implements Scenario {
  static final String NAME = "snapshot-sharing";
  static final String ATTACKER_IP = "203.0.113.105";
  static final String AGENT = "aws-cli/2.15.30 Python/3.11.8 Windows/10 exe/AMD64 prompt/off command/ec2.modify-snapshot-attribute";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account a = ScenarioSteps.account(c, 0);
    Principal who = ScenarioSteps.principal(a, PrincipalKind.SSO_USER, p -> p.roleName.contains("PowerUser"));
    ScenarioSteps s = new ScenarioSteps(c, NAME, ATTACKER_IP, AGENT);
    Instance inst = a.instances.get(0);
    String region = inst.region;
    String foreign = ScenarioSteps.FOREIGN_ACCOUNT;
    String snap = "snap-" + Ids.hex(c.random, 17);
    String ami = "ami-" + Ids.hex(c.random, 17);
    Instant t = ScenarioSteps.at(c, 0.78);
    s.call("collection", who, region, t, "ec2:CreateSnapshot",
        "{\"volumeId\":\"vol-" + Ids.hex(c.random, 17) + "\",\"description\":\"maintenance\"}",
        "{\"snapshotId\":\"" + snap + "\",\"status\":\"pending\"}", null);
    s.call("collection", who, region, t.plusSeconds(60), "ec2:CreateImage",
        "{\"instanceId\":\"" + inst.id + "\",\"name\":\"maint-image\",\"noReboot\":true}",
        "{\"imageId\":\"" + ami + "\"}", null);
    s.call("collection", who, region, t.plusSeconds(90), "rds:CreateDBSnapshot",
        "{\"dBSnapshotIdentifier\":\"maint-snap\",\"dBInstanceIdentifier\":\"orders\"}");
    s.call("exfiltration", who, region, t.plusSeconds(900), "ec2:ModifySnapshotAttribute",
        "{\"snapshotId\":\"" + snap + "\",\"attributeType\":\"CREATE_VOLUME_PERMISSION\",\"createVolumePermission\":"
            + "{\"add\":{\"items\":[{\"userId\":\"" + foreign + "\"}]}}}", "{\"_return\":true}", null);
    s.call("exfiltration", who, region, t.plusSeconds(930), "ec2:ModifyImageAttribute",
        "{\"imageId\":\"" + ami + "\",\"launchPermission\":{\"add\":{\"items\":[{\"userId\":\"" + foreign
            + "\"}]}},\"attributeType\":\"launchPermission\"}", "{\"_return\":true}", null);
    s.call("exfiltration", who, region, t.plusSeconds(960), "rds:ModifyDBSnapshotAttribute",
        "{\"dBSnapshotIdentifier\":\"maint-snap\",\"attributeName\":\"restore\",\"valuesToAdd\":[\"" + foreign + "\"]}");
    s.entity("attacker_ip", ATTACKER_IP).entity("principal_arn",
        "arn:aws:iam::" + a.id + ":role/aws-reserved/sso.amazonaws.com/" + who.roleName)
        .entity("snapshot_id", snap).entity("image_id", ami).entity("db_snapshot", "maint-snap")
        .entity("foreign_account", foreign);
    return s.planned(a, region, List.of("T1078.004", "T1537"),
        List.of("ebs-snapshot-shared-externally", "ami-shared-externally", "rds-snapshot-shared-externally"),
        List.of("new-network-for-principal", "new-user-agent-for-principal"), List.of());
  }
}
