package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The STS calls that issue the organization's temporary credentials: for every session of every
 * principal with temporary credentials ({@link Principal#sessionAt}), the call at its start, in
 * the account's home region (the global STS endpoint logs to us-east-1), with the new key, its
 * expiration and the assumed-role user in the response. AssumeRole by EC2 and Lambda for
 * instance profiles and functions, AssumeRoleWithSAML for Identity Center users,
 * AssumeRoleWithWebIdentity for an OIDC workload, AssumeRole by an IAM user with a source
 * identity and by a role session (chaining, the source identity passed on), GetFederationToken by
 * a broker user, and GetSessionToken with MFA. Each session's call draws from its own seeded
 * random, so adding it leaves the rest of the window's records as they were. No I/O.
 */
final class SessionIssuance {
  /** One issuing record. */
  record Issued(Instant time, String json) {}

  private final long seed;
  private final EventCatalog catalog;
  private final RecordFactory records;

  SessionIssuance(long seed, EventCatalog catalog, RecordFactory records) {
    this.seed = seed;
    this.catalog = catalog;
    this.records = records;
  }

  /** The issuing calls of {@code a}'s sessions that start in [from, from + seconds). */
  List<Issued> window(Account a, long from, long seconds) {
    List<Issued> out = new ArrayList<>();
    for (Principal p : a.principals) {
      if (p.sessionSeconds <= 0 || p.issuance == null) {
        continue;
      }
      long first = Math.floorDiv(from - p.sessionPhase + p.sessionSeconds - 1, p.sessionSeconds);
      for (long k = first; ; k++) {
        CredentialSession s = p.session(k);
        if (s.start().getEpochSecond() >= from + seconds) {
          break;
        }
        out.add(new Issued(s.start(), issue(s)));
      }
    }
    return out;
  }

  private String issue(CredentialSession session) {
    Principal p = session.principal();
    Account a = p.account;
    SplittableRandom r = new SplittableRandom(Randoms.mix(seed, p.principalId.hashCode(),
        a.id.hashCode(), session.index()));
    RecordFactory.Spec s = new RecordFactory.Spec();
    s.time = session.start();
    s.region = "us-east-1";
    String credentials = "\"credentials\":{\"accessKeyId\":\"" + session.accessKeyId()
        + "\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE" + Ids.alnum(r, 40) + "\",\"expiration\":\""
        + session.expirationText() + "\"}";
    // role sessions only: federated users and IAM users have no role
    boolean role = p.roleName != null;
    String roleArn = !role ? null : "arn:aws:iam::" + a.id + ":role/"
        + (p.kind == Org.PrincipalKind.SSO_USER ? "aws-reserved/sso.amazonaws.com/" : "") + p.roleName;
    String assumedRoleUser = !role ? null : ",\"assumedRoleUser\":{\"assumedRoleId\":\"" + p.principalId
        + ":" + p.sessionName + "\",\"arn\":\"arn:aws:sts::" + a.id + ":assumed-role/" + p.roleName + "/"
        + p.sessionName + "\"}";
    String roleResource = !role ? null : "[{\"accountId\":\"" + a.id + "\",\"type\":\"AWS::IAM::Role\",\"ARN\":"
        + ScenarioSteps.q(roleArn) + "}]";
    String source = p.sourceIdentity == null ? "" : ",\"sourceIdentity\":" + ScenarioSteps.q(p.sourceIdentity);
    String assume = !role ? null : "{\"roleArn\":" + ScenarioSteps.q(roleArn) + ",\"roleSessionName\":"
        + ScenarioSteps.q(p.sessionName) + ",\"durationSeconds\":" + p.sessionSeconds;
    switch (p.issuance) {
      case SERVICE_ASSUME_ROLE -> {
        String service = p.instance != null ? "ec2.amazonaws.com" : "lambda.amazonaws.com";
        s.principal = p;
        s.api = catalog.get("sts", "AssumeRole");
        s.userIdentityJson = "{\"type\":\"AWSService\",\"invokedBy\":\"" + service + "\"}";
        s.sourceIp = service;
        s.userAgent = service;
        s.requestParametersJson = assume + "}";
        s.responseElementsJson = "{" + credentials + assumedRoleUser + "}";
        s.resourcesJson = roleResource;
      }
      case SAML -> {
        String provider = "AWSSSO_" + Ids.hex(new SplittableRandom(a.id.hashCode() * 31L), 16) + "_DO_NOT_DELETE";
        s.principal = p;
        s.api = catalog.get("sts", "AssumeRoleWithSAML");
        s.userIdentityJson = "{\"type\":\"SAMLUser\",\"principalId\":\"" + provider + ":" + p.sessionName
            + "\",\"userName\":" + ScenarioSteps.q(p.sessionName) + ",\"identityProvider\":\"" + provider + "\"}";
        s.sourceIp = p.sourceIps.get(0);
        s.userAgent = p.userAgent;
        s.requestParametersJson = "{\"sAMLAssertionID\":\"_" + Ids.hex(r, 32) + "\",\"roleSessionName\":"
            + ScenarioSteps.q(p.sessionName) + ",\"principalArn\":\"arn:aws:iam::" + a.id + ":saml-provider/"
            + provider + "\",\"roleArn\":" + ScenarioSteps.q(roleArn) + ",\"durationSeconds\":"
            + p.sessionSeconds + "}";
        s.responseElementsJson = "{" + credentials + assumedRoleUser + ",\"subject\":"
            + ScenarioSteps.q(p.sessionName) + ",\"subjectType\":\"persistent\",\"issuer\":"
            + "\"https://portal.sso.us-east-1.amazonaws.com/saml/assertion/" + Ids.alnum(r, 24)
            + "\",\"audience\":\"https://signin.aws.amazon.com/saml\"}";
        s.resourcesJson = roleResource;
      }
      case WEB_IDENTITY -> {
        String subject = "repo:example-org/" + a.name + "-infra:ref:refs/heads/main";
        s.principal = p;
        s.api = catalog.get("sts", "AssumeRoleWithWebIdentity");
        s.userIdentityJson = "{\"type\":\"WebIdentityUser\",\"principalId\":"
            + "\"token.actions.githubusercontent.com:sts.amazonaws.com:" + subject + "\",\"userName\":\""
            + subject + "\",\"identityProvider\":\"token.actions.githubusercontent.com\"}";
        s.sourceIp = p.sourceIps.get(0);
        s.userAgent = p.userAgent;
        s.requestParametersJson = assume + "}";
        s.responseElementsJson = "{" + credentials + ",\"subjectFromWebIdentityToken\":\"" + subject + "\""
            + assumedRoleUser + ",\"provider\":\"arn:aws:iam::" + a.id
            + ":oidc-provider/token.actions.githubusercontent.com\",\"audience\":\"sts.amazonaws.com\"}";
        s.resourcesJson = roleResource;
      }
      case ASSUME_ROLE -> {
        // the caller: an IAM user's long-term key, or (chaining) the session the issuer holds now
        calledBy(s, p.issuer, "AssumeRole");
        s.requestParametersJson = assume + source + "}";
        s.responseElementsJson = "{" + credentials + assumedRoleUser + source + "}";
        s.resourcesJson = roleResource;
      }
      case FEDERATION_TOKEN -> {
        calledBy(s, p.issuer, "GetFederationToken");
        s.requestParametersJson = "{\"name\":" + ScenarioSteps.q(p.name) + ",\"durationSeconds\":"
            + p.sessionSeconds + "}";
        s.responseElementsJson = "{" + credentials + ",\"federatedUser\":{\"federatedUserId\":"
            + ScenarioSteps.q(p.principalId) + ",\"arn\":\"arn:aws:sts::" + a.id + ":federated-user/"
            + p.name + "\"},\"packedPolicySize\":6}";
        s.resourcesJson = "[]";
      }
      case SESSION_TOKEN -> {
        calledBy(s, p.longTerm(), "GetSessionToken");
        s.requestParametersJson = "{\"durationSeconds\":" + p.sessionSeconds + ",\"serialNumber\":"
            + "\"arn:aws:iam::" + a.id + ":mfa/" + p.name + "\"}";
        s.responseElementsJson = "{" + credentials + "}";
        s.resourcesJson = "[]";
      }
      default -> throw new IllegalStateException("no issuing call for " + p.issuance);
    }
    return records.write(s, r).json;
  }

  /** The call is made with {@code caller}'s identity, from its first address, with its agent. */
  private void calledBy(RecordFactory.Spec s, Principal caller, String call) {
    s.principal = caller;
    s.api = catalog.get("sts", call);
    s.sourceIp = caller.sourceIps.get(0);
    s.userAgent = caller.userAgent;
  }
}
