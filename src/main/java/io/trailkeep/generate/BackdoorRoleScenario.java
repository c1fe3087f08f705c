package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Instant;
import java.util.List;

/**
 * A backdoor role: with a stolen key, the attacker rewrites an automation role's trust policy to
 * trust an account outside the organization, then assumes the role from that account and reads
 * secrets with the session. MITRE ATT&amp;CK: T1098.003, T1078.004, T1555.006.
 */
final class BackdoorRoleScenario implements Scenario {
  static final String NAME = "backdoor-role";
  static final String ATTACKER_IP = "203.0.113.106";
  static final String AGENT = "aws-sdk-go-v2/1.21.0 os/linux lang/go#1.21.1 md/GOOS#linux md/GOARCH#amd64";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account a = ScenarioSteps.account(c, 3);
    Principal key = ScenarioSteps.principal(a, PrincipalKind.IAM_USER, p -> p.name.equals("ci-deployer"));
    Principal role = ScenarioSteps.principal(a, PrincipalKind.ROLE_SESSION, p -> true);
    ScenarioSteps s = new ScenarioSteps(c, NAME, ATTACKER_IP, AGENT);
    String foreign = ScenarioSteps.FOREIGN_ACCOUNT;
    String roleArn = "arn:aws:iam::" + a.id + ":role/" + role.roleName;
    Instant t = ScenarioSteps.at(c, 0.40);
    s.call("discovery", key, "us-east-1", t, "iam:GetRole", "{\"roleName\":" + ScenarioSteps.q(role.roleName) + "}");
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
        + "\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"},{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "\"arn:aws:iam::" + foreign + ":root\"},\"Action\":\"sts:AssumeRole\"}]}";
    s.call("persistence", key, "us-east-1", t.plusSeconds(45), "iam:UpdateAssumeRolePolicy",
        "{\"roleName\":" + ScenarioSteps.q(role.roleName) + ",\"policyDocument\":" + ScenarioSteps.q(policy) + "}");
    Principal session = new Principal(PrincipalKind.ROLE_SESSION, a, "backdoor-session", role.principalId);
    session.roleName = role.roleName;
    session.sessionName = "maintenance";
    Instant u = t.plusSeconds(3600);
    session.pinned = new CredentialSession(session, 0, u, u.plusSeconds(3600), "ASIA" + Ids.upper(c.random, 16));
    session.accessKeyId = session.pinned.accessKeyId();
    String external = "{\"type\":\"AWSAccount\",\"principalId\":\"AIDA" + Ids.upper(c.random, 17)
        + "\",\"accountId\":\"" + foreign + "\"}";
    s.call("persistence", key, "us-east-1", u, "sts:AssumeRole",
        "{\"roleArn\":" + ScenarioSteps.q(roleArn) + ",\"roleSessionName\":\"maintenance\"}",
        "{\"credentials\":{\"accessKeyId\":\"" + session.accessKeyId + "\",\"expiration\":\""
            + session.pinned.expirationText() + "\"},\"assumedRoleUser\":{\"assumedRoleId\":\""
            + role.principalId + ":maintenance\",\"arn\":\"arn:aws:sts::" + a.id + ":assumed-role/"
            + role.roleName + "/maintenance\"}}",
        spec -> spec.userIdentityJson = external);
    s.call("credential_access", session, "us-east-1", u.plusSeconds(60), "secretsmanager:ListSecrets", "{}");
    for (int i = 0; i < 3; i++) {
      s.call("credential_access", session, "us-east-1", u.plusSeconds(90 + 10L * i), "secretsmanager:GetSecretValue",
          "{\"secretId\":\"prod/service-" + i + "\"}");
    }
    s.entity("attacker_ip", ATTACKER_IP).entity("access_key_id", key.accessKeyId).entity("role_arn", roleArn)
        .entity("foreign_account", foreign).entity("session_access_key_id", session.accessKeyId);
    return s.planned(a, "us-east-1", List.of("T1098.003", "T1078.004", "T1555.006"),
        List.of("role-trust-policy-external-account", "external-account-assumed-role"),
        List.of("new-network-for-principal", "new-user-agent-for-principal"), List.of());
  }
}
