package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Instant;
import java.util.List;

/**
 * Console password spraying: one address fails to sign in as ten users within minutes, then
 * succeeds as a legacy administrator without MFA, and from that console session makes itself
 * administrator, creates an access key and a console password for other users. MITRE ATT&amp;CK:
 * T1110.003, T1078.004, T1098, T1098.001.
 */
final class PasswordSprayScenario implements Scenario {
  static final String NAME = "console-password-spray";
  static final String ATTACKER_IP = "203.0.113.102";
  static final String AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account a = ScenarioSteps.account(c, 2);
    ScenarioSteps s = new ScenarioSteps(c, NAME, ATTACKER_IP, AGENT);
    Instant t = ScenarioSteps.at(c, 0.35);
    String[] tried = {"admin", "administrator", "backup", "jenkins", "deploy", "devops", "ops", "test",
        "legacy-admin", "finance"};
    Principal victim = null;
    for (int i = 0; i < tried.length; i++) {
      Principal p = new Principal(PrincipalKind.IAM_USER, a, tried[i], "AIDA" + Ids.upper(c.random, 17));
      p.accessKeyId = "ASIA" + Ids.upper(c.random, 16);
      p.mfa = false;
      if (tried[i].equals("legacy-admin")) {
        victim = p;
      }
      s.call("password_spraying", p, "us-east-1", t.plusSeconds(25L * i), "signin:ConsoleLogin", null,
          null, spec -> {
            spec.consoleFailure = true;
            spec.errorMessage = "Failed authentication";
          });
    }
    Instant in = t.plusSeconds(25L * tried.length + 40);
    s.call("initial_access", victim, "us-east-1", in, "signin:ConsoleLogin", null);
    Principal other = ScenarioSteps.principal(a, PrincipalKind.IAM_USER, p -> p.name.equals("ci-deployer"));
    s.call("privilege_escalation", victim, "us-east-1", in.plusSeconds(120), "iam:AttachUserPolicy",
        "{\"userName\":\"legacy-admin\",\"policyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\"}");
    s.call("persistence", victim, "us-east-1", in.plusSeconds(200), "iam:CreateAccessKey",
        "{\"userName\":" + ScenarioSteps.q(other.name) + "}", "{\"accessKey\":{\"accessKeyId\":\"AKIA"
            + Ids.upper(c.random, 16) + "\",\"status\":\"Active\",\"userName\":" + ScenarioSteps.q(other.name)
            + ",\"createDate\":\"" + ScenarioSteps.fmt(in.plusSeconds(200)) + "\"}}", null);
    s.call("persistence", victim, "us-east-1", in.plusSeconds(260), "iam:CreateLoginProfile",
        "{\"userName\":\"svc-reporting\",\"passwordResetRequired\":false}", null, null);
    s.entity("attacker_ip", ATTACKER_IP).entity("compromised_user_arn",
        "arn:aws:iam::" + a.id + ":user/legacy-admin").entity("users_tried", List.of(tried));
    return s.planned(a, "us-east-1", List.of("T1110.003", "T1078.004", "T1098", "T1098.001"),
        List.of("console-password-spraying", "cis-console-authentication-failures",
            "cis-console-login-without-mfa", "administrator-access-attached", "cis-iam-policy-changed",
            "access-key-created-for-another-user", "login-profile-for-another-user"),
        List.of(), List.of());
  }
}
