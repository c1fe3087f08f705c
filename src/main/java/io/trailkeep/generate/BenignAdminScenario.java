package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The benign look-alike: an administrator signs in from the office address with MFA, in working
 * hours, creates a user for a new analyst, adds it to the analysts group and gives it read-only
 * access. Attack rules must stay quiet on it (must_not_fire); the CIS IAM-change control still
 * records it, as it should.
 */
final class BenignAdminScenario implements Scenario {
  static final String NAME = "benign-admin";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account a = ScenarioSteps.account(c, 3);
    Principal admin = ScenarioSteps.principal(a, PrincipalKind.IAM_USER, p -> p.mfa && !p.sourceIps.isEmpty());
    ScenarioSteps s = new ScenarioSteps(c, NAME, admin.sourceIps.get(0),
        Org.USER_AGENTS_CONSOLE[0]);
    Instant day = ScenarioSteps.at(c, 0.45).atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC)
        .toInstant();
    Instant t = day.plusSeconds(3600L * Math.min(admin.startHour + 2, 15));
    s.call("administration", admin, "us-east-1", t, "signin:ConsoleLogin", null);
    s.call("administration", admin, "us-east-1", t.plusSeconds(300), "iam:CreateUser",
        "{\"userName\":\"new-analyst\"}");
    s.call("administration", admin, "us-east-1", t.plusSeconds(340), "iam:AddUserToGroup",
        "{\"groupName\":\"analysts\",\"userName\":\"new-analyst\"}");
    s.call("administration", admin, "us-east-1", t.plusSeconds(380), "iam:AttachUserPolicy",
        "{\"userName\":\"new-analyst\",\"policyArn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}");
    s.entity("admin_arn", "arn:aws:iam::" + a.id + ":user/" + admin.name).entity("office_ip", s.sourceIp);
    return s.planned(a, "us-east-1", List.of(), List.of(), List.of(),
        List.of("new-user-with-admin-policy", "administrator-access-attached", "cis-console-login-without-mfa",
            "console-password-spraying", "access-key-created-for-another-user",
            "login-profile-for-another-user", "role-trust-policy-external-account", "cis-root-account-usage"));
  }
}
