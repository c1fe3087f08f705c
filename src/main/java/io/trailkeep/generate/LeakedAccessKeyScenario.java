package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Instance;
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
 * (CloudTrail StopLogging). Meanwhile the attacker's address probes an exposed instance of the
 * account and holds SSH sessions to it (flow logs), and GuardDuty reports the caller, the SSH
 * traffic and the disabled trail (the first finding updated twice, so it is exported three times).
 * MITRE ATT&amp;CK: T1078.004, T1087.004, T1098.001, T1136.003, T1562.008, T1021.004.
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
    Instant t = c.concurrent ? ScenarioSteps.at(c, 0.45)
        : c.spanStart.plusSeconds(ScenarioSteps.concurrentStart(span) + 17 * 60);
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

    Instance target = exposedInstance(account);
    List<Flow> flows = attackerFlows(c, account, target, events.get(6).time.plusSeconds(40));
    List<FindingExport> findings = new ArrayList<>();
    Map<String, String> findingIds = new LinkedHashMap<>();
    Instant reconSeen = events.get(0).time.plusSeconds(600);
    findingIds.put("Recon:IAMUser/MaliciousIPCaller", finding(c, account, "Recon:IAMUser/MaliciousIPCaller",
        FindingFactory.Resource.ACCESS_KEY, 5.0, victim, target, reconSeen, 3, findings));
    findingIds.put("UnauthorizedAccess:EC2/SSHBruteForce", finding(c, account,
        "UnauthorizedAccess:EC2/SSHBruteForce", FindingFactory.Resource.INSTANCE, 5.0, victim, target,
        Instant.ofEpochSecond(flows.get(flows.size() - 1).record.start + 300L), 1, findings));
    findingIds.put("Stealth:IAMUser/CloudTrailLoggingDisabled", finding(c, account,
        "Stealth:IAMUser/CloudTrailLoggingDisabled", FindingFactory.Resource.ACCESS_KEY, 2.0, backdoor,
        target, events.get(events.size() - 1).time.plusSeconds(300), 1, findings));

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
    entities.put("affected_instance_id", target.id);
    entities.put("affected_eni", target.eni);
    entities.put("affected_private_ip", target.privateIp);
    entities.put("affected_region", target.region);
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
    truth.put("mitre", List.of("T1078.004", "T1087.004", "T1098.001", "T1136.003", "T1562.008",
        "T1021.004"));
    truth.put("flow_records", flows.size());
    truth.put("findings", findingIds);
    truth.put("benign", false);
    truth.put("expected_rules", List.of("cis-unauthorized-api-calls", "new-user-with-admin-policy",
        "administrator-access-attached", "access-key-created-for-another-user", "cis-iam-policy-changed",
        "cloudtrail-logging-stopped", "cis-cloudtrail-configuration-changed",
        "guardduty-finding-on-alerted-entity"));
    truth.put("expected_rules_after_learning", List.of("new-network-for-principal",
        "new-user-agent-for-principal", "unusual-first-api-call"));
    truth.put("must_not_fire", List.of());
    return new Planned(events, flows, findings, truth);
  }

  /** An instance of the account reachable from the internet (else any). */
  private static Instance exposedInstance(Account account) {
    for (Instance i : account.instances) {
      if (i.publicIp != null) {
        return i;
      }
    }
    return account.instances.get(0);
  }

  /**
   * After enumerating instances, the attacker probes the instance's public address (the security
   * group rejects all but SSH) and then holds SSH sessions to it for about half an hour.
   */
  private static List<Flow> attackerFlows(Context c, Account account, Instance target, Instant from) {
    List<Flow> out = new ArrayList<>();
    long t = from.getEpochSecond();
    for (int port : new int[] {23, 3389, 445, 3306, 8080, 5900}) {
      FlowRecord f = FlowWriter.onInstance(account, target.region, target, t, "ingress");
      FlowWriter.conn(f, ATTACKER_IP, target.privateIp, 40000 + c.random.nextInt(20000), port, 6, 1, 44, 2);
      f.action = "REJECT";
      out.add(new Flow(account.id, target.region, f));
      t += 2;
    }
    t += 60;
    for (int i = 0; i < 6; i++) {
      int port = 40000 + c.random.nextInt(20000);
      long packets = 40 + c.random.nextInt(400);
      FlowRecord in = FlowWriter.onInstance(account, target.region, target, t, "ingress");
      FlowWriter.conn(in, ATTACKER_IP, target.privateIp, port, 22, 6, packets, packets * 90, 3);
      FlowRecord back = FlowWriter.onInstance(account, target.region, target, t, "egress");
      FlowWriter.conn(back, target.privateIp, ATTACKER_IP, 22, port, 6, packets, packets * 160, 19);
      back.trafficPath = 8;
      out.add(new Flow(account.id, target.region, in));
      out.add(new Flow(account.id, target.region, back));
      t += 300;
    }
    return out;
  }

  /** A finding about the attacker, exported {@code exports} times (updated each time). */
  private static String finding(Context c, Account account, String type, FindingFactory.Resource resource,
      double severity, Principal principal, Instance instance, Instant created, int exports,
      List<FindingExport> out) {
    FindingFactory.Spec s = new FindingFactory.Spec();
    s.type = type;
    s.resource = resource;
    s.severity = severity;
    s.account = account;
    s.region = resource == FindingFactory.Resource.INSTANCE ? instance.region : "us-east-1";
    s.createdAt = created;
    s.remoteIp = ATTACKER_IP;
    s.principal = principal;
    s.instance = instance;
    s.id = Ids.hex(c.random, 32);
    for (int i = 0; i < exports; i++) {
      s.updatedAt = created.plusSeconds(3600L * i);
      s.count = 1 + 5L * i;
      out.add(new FindingExport(account.id, s.region, s.updatedAt.plusSeconds(300),
          c.findings.write(s, c.random)));
    }
    return s.id;
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
