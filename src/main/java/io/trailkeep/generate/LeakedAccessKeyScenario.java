package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CI user's long-term access key leaks and is used from an unfamiliar address: reconnaissance
 * (identity, IAM, S3 and EC2 enumeration with some AccessDenied), privilege escalation (a new
 * user with AdministratorAccess and its own key), then defence evasion with the new key
 * (CloudTrail StopLogging). MITRE ATT&amp;CK: T1078.004, T1087.004, T1098.001, T1136.003, T1562.008.
 */
final class LeakedAccessKeyScenario implements Scenario {

  static final String NAME = "leaked-access-key";
  /** TEST-NET-3 (RFC 5737): never a real host. */
  static final String ATTACKER_IP = "203.0.113.77";
  static final String ATTACKER_AGENT = "python-requests/2.31.0 Boto3/1.26.90 Python/3.8.10 Linux/5.4.0-150-generic"
      + " Botocore/1.29.90";
  static final String BACKDOOR_USER = "backup-svc-admin";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Planned plan(Context c) {
    Account account = c.org.accounts.get(c.org.accounts.size() > 1 ? 1 : 0);
    Principal victim = null;
    for (Principal p : account.principals) {
      if (p.kind == PrincipalKind.IAM_USER && p.name.equals("ci-deployer")) {
        victim = p;
      }
    }
    String region = "us-east-1";
    long span = Duration.between(c.spanStart, c.spanEnd).getSeconds();
    Instant t = c.spanStart.plusSeconds(Math.max(3600, span / 2 + 3 * 3600 + 17 * 60));
    List<Event> events = new ArrayList<>();
    List<String> recon = new ArrayList<>();
    List<String> escalation = new ArrayList<>();
    List<String> evasion = new ArrayList<>();
    String[][] reconSteps = {{"sts", "GetCallerIdentity", null}, {"iam", "ListUsers", null},
        {"iam", "ListRoles", null}, {"iam", "GetAccountAuthorizationDetails", "AccessDenied"},
        {"iam", "ListAttachedUserPolicies", null}, {"s3", "ListBuckets", null},
        {"ec2", "DescribeInstances", null}, {"ec2", "DescribeSecurityGroups", null},
        {"secretsmanager", "ListSecrets", "AccessDeniedException"}, {"iam", "ListAccessKeys", null},
        {"organizations", "DescribeOrganization", "AccessDeniedException"},
        {"cloudtrail", "DescribeTrails", null}, {"guardduty", "ListDetectors", null}};
    for (String[] step : reconSteps) {
      t = t.plusSeconds(3 + c.random.nextInt(20));
      events.add(event(c, victim, region, t, step[0], step[1], step[2], null, null, null, recon));
    }
    Principal backdoor = new Principal(PrincipalKind.IAM_USER, account, BACKDOOR_USER,
        "AIDA" + Ids.upper(c.random, 17));
    backdoor.accessKeyId = "AKIA" + Ids.upper(c.random, 16);
    backdoor.sourceIps.add(ATTACKER_IP);
    backdoor.userAgent = ATTACKER_AGENT;
    t = t.plusSeconds(240);
    events.add(event(c, victim, region, t, "iam", "CreateUser", null, BACKDOOR_USER,
        "{\"userName\":\"" + BACKDOOR_USER + "\"}", "{\"user\":{\"path\":\"/\",\"userName\":\""
            + BACKDOOR_USER + "\",\"userId\":\"" + backdoor.principalId + "\",\"arn\":\"arn:aws:iam::"
            + account.id + ":user/" + BACKDOOR_USER + "\",\"createDate\":\"" + fmt(t) + "\"}}", escalation));
    t = t.plusSeconds(11);
    events.add(event(c, victim, region, t, "iam", "AttachUserPolicy", null, BACKDOOR_USER,
        "{\"userName\":\"" + BACKDOOR_USER + "\",\"policyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\"}",
        null, escalation));
    t = t.plusSeconds(9);
    events.add(event(c, victim, region, t, "iam", "CreateAccessKey", null, BACKDOOR_USER,
        "{\"userName\":\"" + BACKDOOR_USER + "\"}", "{\"accessKey\":{\"accessKeyId\":\""
            + backdoor.accessKeyId + "\",\"status\":\"Active\",\"userName\":\"" + BACKDOOR_USER
            + "\",\"createDate\":\"" + fmt(t) + "\"}}", escalation));
    t = t.plusSeconds(95);
    events.add(event(c, backdoor, region, t, "sts", "GetCallerIdentity", null, null, null, null, escalation));
    t = t.plusSeconds(30);
    String trailArn = "arn:aws:cloudtrail:us-east-1:" + account.id + ":trail/" + account.trailName;
    events.add(event(c, backdoor, region, t, "cloudtrail", "StopLogging", null, null,
        "{\"name\":\"" + trailArn + "\"}", null, evasion));

    Map<String, Object> truth = new LinkedHashMap<>();
    truth.put("scenario", NAME);
    truth.put("account_id", account.id);
    truth.put("region", region);
    truth.put("start", fmt(events.get(0).time));
    truth.put("end", fmt(events.get(events.size() - 1).time));
    Map<String, Object> entities = new LinkedHashMap<>();
    entities.put("leaked_access_key_id", victim.accessKeyId);
    entities.put("leaked_user_arn", "arn:aws:iam::" + account.id + ":user/" + victim.name);
    entities.put("attacker_ip", ATTACKER_IP);
    entities.put("attacker_user_agent", ATTACKER_AGENT);
    entities.put("backdoor_user_arn", "arn:aws:iam::" + account.id + ":user/" + BACKDOOR_USER);
    entities.put("backdoor_access_key_id", backdoor.accessKeyId);
    entities.put("trail_arn", trailArn);
    truth.put("entities", entities);
    Map<String, Object> phases = new LinkedHashMap<>();
    phases.put("reconnaissance", recon);
    phases.put("privilege_escalation", escalation);
    phases.put("defense_evasion", evasion);
    truth.put("phases", phases);
    List<String> all = new ArrayList<>(recon);
    all.addAll(escalation);
    all.addAll(evasion);
    truth.put("event_ids", all);
    truth.put("mitre", List.of("T1078.004", "T1087.004", "T1098.001", "T1136.003", "T1562.008"));
    return new Planned(events, truth);
  }

  private static Event event(Context c, Principal who, String region, Instant t, String service,
      String name, String error, String target, String request, String response, List<String> ids) {
    RecordFactory.Spec s = new RecordFactory.Spec();
    s.principal = who;
    s.api = c.catalog.get(service, name);
    s.time = t;
    s.region = region;
    s.sourceIp = ATTACKER_IP;
    s.userAgent = ATTACKER_AGENT;
    s.target = target;
    s.requestParametersJson = request;
    s.responseElementsJson = response;
    if (error != null) {
      s.errorCode = error;
      s.errorMessage = "User: arn:aws:iam::" + who.account.id + ":user/" + who.name
          + " is not authorized to perform: " + service + ":" + name
          + " because no identity-based policy allows the " + service + ":" + name + " action";
    }
    RecordFactory.Written w = c.records.write(s, c.random);
    ids.add(w.eventId);
    return new Event(who.account.id, region, t, w.json, w.eventId);
  }

  private static String fmt(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }
}
