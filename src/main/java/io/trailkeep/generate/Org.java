package io.trailkeep.generate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated AWS organization: accounts, regions, principals with habits, instances with ENIs and
 * addresses, buckets and KMS keys. Built deterministically from a seed; small (a few hundred
 * objects), so it is held in memory while events stream out.
 */
public final class Org {

  static final String[] ALL_REGIONS = {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
      "ap-southeast-2"};

  static final String[] USER_AGENTS_CLI = {
      "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off command/%s",
      "aws-cli/2.13.2 Python/3.11.4 Darwin/23.1.0 exe/x86_64 prompt/off command/%s",
      "aws-cli/1.29.62 Python/3.10.12 Linux/5.15.0-1049-aws botocore/1.31.62"};
  static final String[] USER_AGENTS_SDK = {
      "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8",
      "aws-sdk-java/2.25.11 Linux/5.10.209-198.858.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS"
          + " Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_ECS_EC2 io/sync http/Apache cfg/retry-mode/legacy",
      "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.0 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.149.1",
      "Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.39.1 (+https://registry"
          + ".terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.0"};
  static final String[] USER_AGENTS_CONSOLE = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
      "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0"};

  /** One account of the organization. */
  public static final class Account {
    public final String id;
    public final String name;
    public final List<String> regions = new ArrayList<>();
    public final List<Principal> principals = new ArrayList<>();
    public final List<Instance> instances = new ArrayList<>();
    public final List<String> buckets = new ArrayList<>();
    public final List<String> kmsKeys = new ArrayList<>();
    public String trailName;

    Account(String id, String name) {
      this.id = id;
      this.name = name;
    }
  }

  /** What kind of caller a principal is. */
  public enum PrincipalKind { IAM_USER, ROLE_SESSION, SSO_USER, FEDERATED, ROOT, SERVICE, INSTANCE }

  /** A caller with habits: services, hours, addresses, agents, activity level. */
  public static final class Principal {
    public final PrincipalKind kind;
    public final Account account;
    public final String name;
    public final String principalId;
    public String accessKeyId;
    public String roleName;
    public String sessionName;
    public final List<String> services = new ArrayList<>();
    public final List<String> sourceIps = new ArrayList<>();
    public String userAgent;
    public int startHour;
    public int endHour;
    public double weight;
    public boolean mfa;
    public Instance instance;
    /** Lifetime of each temporary-credential session; 0 for long-term credentials only. */
    public int sessionSeconds;
    /** Offset of the session boundaries from the epoch, in seconds (0 to sessionSeconds). */
    long sessionPhase;
    /** How STS issues this principal's sessions. */
    Issuance issuance;
    /** Who calls STS for each session: an IAM user, or the role whose session chains to this one. */
    Principal issuer;
    /** The source identity set at the first AssumeRole and passed along role chains, or null. */
    public String sourceIdentity;
    /** A session this principal keeps for every event (stolen or scenario-issued credentials). */
    CredentialSession pinned;

    Principal(PrincipalKind kind, Account account, String name, String principalId) {
      this.kind = kind;
      this.account = account;
      this.name = name;
      this.principalId = principalId;
    }

    /** Whether this principal's events use temporary credentials. */
    public boolean temporary() {
      return pinned != null || sessionSeconds > 0;
    }

    /**
     * The session in force at {@code t}: consecutive sessions of {@link #sessionSeconds}, each with
     * its own key derived from the principal and the session's number (deterministic, so events,
     * findings and the issuing call agree without shared state). Null for long-term credentials.
     */
    public CredentialSession sessionAt(Instant t) {
      if (pinned != null) {
        return pinned;
      }
      if (sessionSeconds <= 0) {
        return null;
      }
      long index = Math.floorDiv(t.getEpochSecond() - sessionPhase, sessionSeconds);
      return session(index);
    }

    /** Session number {@code index} of this principal. */
    CredentialSession session(long index) {
      Instant start = Instant.ofEpochSecond(sessionPhase + index * sessionSeconds);
      java.util.SplittableRandom r = new java.util.SplittableRandom(
          Randoms.mix(principalId.hashCode(), name.hashCode(), account.id.hashCode(), index));
      return new CredentialSession(this, index, start, start.plusSeconds(sessionSeconds),
          "ASIA" + Ids.upper(r, 16));
    }

    /** The access key id this principal's events carry at {@code t}: its session's, else its own. */
    public String accessKeyAt(Instant t) {
      CredentialSession s = sessionAt(t);
      return s != null ? s.accessKeyId() : accessKeyId;
    }

    /** A copy whose every event uses the session in force at {@code t} (credentials taken then). */
    Principal pinnedAt(Instant t) {
      Principal p = copy();
      p.pinned = sessionAt(t);
      return p;
    }

    /** A copy using its long-term access key only (an IAM user calling GetSessionToken). */
    Principal longTerm() {
      Principal p = copy();
      p.sessionSeconds = 0;
      p.pinned = null;
      return p;
    }

    private Principal copy() {
      Principal p = new Principal(kind, account, name, principalId);
      p.accessKeyId = accessKeyId;
      p.roleName = roleName;
      p.sessionName = sessionName;
      p.services.addAll(services);
      p.sourceIps.addAll(sourceIps);
      p.userAgent = userAgent;
      p.startHour = startHour;
      p.endHour = endHour;
      p.weight = weight;
      p.mfa = mfa;
      p.instance = instance;
      p.sessionSeconds = sessionSeconds;
      p.sessionPhase = sessionPhase;
      p.issuance = issuance;
      p.issuer = issuer;
      p.sourceIdentity = sourceIdentity;
      p.pinned = pinned;
      return p;
    }
  }

  /** The STS call that issues a principal's sessions (see {@link SessionIssuance}). */
  enum Issuance {
    /** AssumeRole called by an AWS service for an instance profile or a function. */
    SERVICE_ASSUME_ROLE,
    /** AssumeRoleWithSAML: an IAM Identity Center permission set. */
    SAML,
    /** AssumeRoleWithWebIdentity: an OIDC workload (a CI pipeline). */
    WEB_IDENTITY,
    /** AssumeRole called with another principal's credentials (an IAM user, or a role: chaining). */
    ASSUME_ROLE,
    /** GetFederationToken called by a broker IAM user. */
    FEDERATION_TOKEN,
    /** GetSessionToken called by an IAM user with MFA for itself. */
    SESSION_TOKEN
  }

  /** Gives {@code p} sessions of {@code seconds}, issued by {@code how}, with a seeded phase. */
  private static void sessions(Principal p, int seconds, Issuance how, SplittableRandom r) {
    p.sessionSeconds = seconds;
    p.sessionPhase = r.nextInt(seconds);
    p.issuance = how;
  }

  /** An EC2 instance with its ENI and addresses. */
  public static final class Instance {
    public final String id;
    public final String eni;
    public final String privateIp;
    public final String publicIp;
    public final String region;
    public final String vpcId;
    public final String subnetId;

    Instance(String id, String eni, String privateIp, String publicIp, String region, String vpcId,
        String subnetId) {
      this.id = id;
      this.eni = eni;
      this.privateIp = privateIp;
      this.publicIp = publicIp;
      this.region = region;
      this.vpcId = vpcId;
      this.subnetId = subnetId;
    }
  }

  public final String orgId;
  public final List<Account> accounts = new ArrayList<>();

  private Org(String orgId) {
    this.orgId = orgId;
  }

  /** Builds the organization for {@code seed} with {@code accountCount} accounts. */
  public static Org build(long seed, int accountCount) {
    SplittableRandom r = new SplittableRandom(seed * 31 + 7);
    Org org = new Org("o-" + Ids.lower(r, 10));
    String[] names = {"security", "production", "staging", "data", "sandbox", "shared-services",
        "logging", "network"};
    String[] people = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
        "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter"};
    String[][] habits = {
        {"ec2", "s3", "iam", "sts", "cloudwatch", "logs"},
        {"s3", "dynamodb", "lambda", "sqs", "sns", "logs"},
        {"iam", "sts", "organizations", "cloudtrail", "config", "guardduty", "kms"},
        {"rds", "s3", "kms", "secretsmanager", "cloudwatch"},
        {"eks", "ecr", "ec2", "elasticloadbalancing", "autoscaling", "ssm"},
        {"cloudformation", "iam", "lambda", "s3", "route53"}};
    for (int a = 0; a < accountCount; a++) {
      String id = String.format("%012d", 100000000000L + Math.floorMod(r.nextLong(), 899999999999L));
      Account acct = new Account(id, a < names.length ? names[a] : "workload-" + a);
      acct.trailName = "org-trail";
      int regionCount = 1 + r.nextInt(2);
      acct.regions.add("us-east-1");
      for (int i = 1; i < regionCount; i++) {
        String reg = ALL_REGIONS[1 + r.nextInt(ALL_REGIONS.length - 1)];
        if (!acct.regions.contains(reg)) {
          acct.regions.add(reg);
        }
      }
      int subnetSeed = 10 + a;
      for (int i = 0; i < 3 + r.nextInt(5); i++) {
        String region = acct.regions.get(r.nextInt(acct.regions.size()));
        String priv = "10." + subnetSeed + "." + r.nextInt(4) + "." + (10 + r.nextInt(240));
        String pub = r.nextInt(3) == 0 ? null : publicIp(r, true);
        acct.instances.add(new Instance("i-" + Ids.hex(r, 17), "eni-" + Ids.hex(r, 17), priv, pub,
            region, "vpc-" + Ids.hex(r, 17), "subnet-" + Ids.hex(r, 17)));
      }
      for (int i = 0; i < 2 + r.nextInt(4); i++) {
        acct.buckets.add(acct.name + "-" + new String[] {"assets", "backups", "logs", "data", "artifacts",
            "exports"}[i % 6] + "-" + id.substring(8));
      }
      for (int i = 0; i < 1 + r.nextInt(3); i++) {
        acct.kmsKeys.add(Ids.uuid(r));
      }
      // IAM users with long-term keys
      int users = 2 + r.nextInt(3);
      for (int u = 0; u < users; u++) {
        String name = u == 0 ? "ci-deployer" : people[(a * 3 + u) % people.length];
        Principal p = new Principal(PrincipalKind.IAM_USER, acct, name, "AIDA" + Ids.upper(r, 17));
        p.accessKeyId = "AKIA" + Ids.upper(r, 16);
        habitsFor(p, r, habits, u == 0 ? 0.9 : 0.4);
        p.userAgent = u == 0 ? USER_AGENTS_SDK[3] : pick(r, USER_AGENTS_CLI);
        p.mfa = u != 0;
        if (u == 0) {
          p.startHour = 0;
          p.endHour = 24;
        }
        acct.principals.add(p);
      }
      // Identity Center users working through permission sets (assumed roles)
      for (int u = 0; u < 2 + r.nextInt(3); u++) {
        String person = people[(a * 5 + u + 7) % people.length];
        Principal p = new Principal(PrincipalKind.SSO_USER, acct, person + "@example.com",
            "AROA" + Ids.upper(r, 17));
        p.roleName = "AWSReservedSSO_" + (u == 0 ? "AdministratorAccess" : "PowerUserAccess") + "_"
            + Ids.hex(r, 16);
        p.sessionName = person + "@example.com";
        habitsFor(p, r, habits, 0.5);
        p.userAgent = pick(r, USER_AGENTS_CONSOLE);
        p.mfa = true;
        acct.principals.add(p);
      }
      // Application roles used from instances (instance profile sessions)
      for (Instance inst : acct.instances) {
        if (r.nextInt(2) == 0) {
          continue;
        }
        Principal p = new Principal(PrincipalKind.INSTANCE, acct, "app-role-" + inst.id.substring(2, 7),
            "AROA" + Ids.upper(r, 17));
        p.roleName = "app-" + acct.name + "-" + inst.id.substring(2, 6);
        p.sessionName = inst.id;
        p.instance = inst;
        p.services.addAll(List.of("s3", "kms", "ssm", "secretsmanager", "sqs", "dynamodb", "logs"));
        p.sourceIps.add(inst.publicIp != null ? inst.publicIp : inst.privateIp);
        p.userAgent = USER_AGENTS_SDK[1];
        p.startHour = 0;
        p.endHour = 24;
        p.weight = 1.2;
        acct.principals.add(p);
      }
      // Automation roles assumed by other roles (cross-service, lambda)
      Principal lambda = new Principal(PrincipalKind.ROLE_SESSION, acct, "lambda-exec",
          "AROA" + Ids.upper(r, 17));
      lambda.roleName = "lambda-" + acct.name + "-processor";
      lambda.sessionName = lambda.roleName + "-fn";
      lambda.services.addAll(List.of("s3", "dynamodb", "sqs", "sns", "logs", "kms"));
      lambda.sourceIps.add(publicIp(r, true));
      lambda.userAgent = USER_AGENTS_SDK[0];
      lambda.startHour = 0;
      lambda.endHour = 24;
      lambda.weight = 0.8;
      acct.principals.add(lambda);
      // Federated user (GetFederationToken) in some accounts
      if (r.nextInt(3) == 0) {
        Principal f = new Principal(PrincipalKind.FEDERATED, acct, "partner-" + people[a % people.length],
            id + ":partner-" + people[a % people.length]);
        habitsFor(f, r, habits, 0.15);
        f.userAgent = pick(r, USER_AGENTS_CLI);
        acct.principals.add(f);
      }
      // Root: rare
      Principal root = new Principal(PrincipalKind.ROOT, acct, "root", id);
      root.services.addAll(List.of("iam", "signin", "organizations"));
      root.sourceIps.add(publicIp(r, false));
      root.userAgent = USER_AGENTS_CONSOLE[0];
      root.startHour = 9;
      root.endHour = 17;
      root.weight = 0.01;
      root.mfa = r.nextBoolean();
      acct.principals.add(root);
      // AWS services acting on their own
      Principal svc = new Principal(PrincipalKind.SERVICE, acct, "AWS services", null);
      svc.services.addAll(List.of("sts", "kms", "ec2", "logs"));
      svc.startHour = 0;
      svc.endHour = 24;
      svc.weight = 0.7;
      acct.principals.add(svc);
      sessionsAndChains(acct, people[(a * 7 + 3) % people.length],
          new SplittableRandom(Randoms.mix(seed, a, acct.id.hashCode(), 0x5E55)));
      org.accounts.add(acct);
    }
    return org;
  }

  /**
   * Temporary credentials for the account's role, federated and Identity Center principals, and
   * the principals that exist to show how sessions link: a CI pipeline (its IAM user assumes a
   * deploy role with a source identity, whose session chains into a release role), an OIDC
   * workload, and an IAM user working through GetSessionToken with MFA. Appended after the
   * other principals, from their own random stream, so scenario choices stay as they were.
   */
  private static void sessionsAndChains(Account acct, String person, SplittableRandom r) {
    Principal ci = null;
    for (Principal p : acct.principals) {
      switch (p.kind) {
        case SSO_USER -> sessions(p, 4 * 3600, Issuance.SAML, r);
        case INSTANCE -> sessions(p, 6 * 3600, Issuance.SERVICE_ASSUME_ROLE, r);
        case ROLE_SESSION -> sessions(p, 12 * 3600, Issuance.SERVICE_ASSUME_ROLE, r);
        case FEDERATED -> {
          sessions(p, 12 * 3600, Issuance.FEDERATION_TOKEN, r);
          p.issuer = federationBroker(acct);
        }
        case IAM_USER -> ci = ci == null ? p : ci;
        default -> { }
      }
    }
    Principal deploy = automationRole(acct, "deploy-role", "deploy-" + acct.name, "ci-deploy",
        List.of("cloudformation", "s3", "iam", "lambda", "sts"), ci.sourceIps, 0, 24, 0.25, r);
    sessions(deploy, 3600, Issuance.ASSUME_ROLE, r);
    deploy.issuer = ci;
    deploy.sourceIdentity = ci.name;
    Principal release = automationRole(acct, "release-role", "release-" + acct.name, "ci-release",
        List.of("ecr", "lambda", "s3", "ssm"), ci.sourceIps, 0, 24, 0.2, r);
    // chained sessions last at most an hour; each starts ten minutes into a deploy session
    release.sessionSeconds = 3600;
    release.sessionPhase = (deploy.sessionPhase + 600) % 3600;
    release.issuance = Issuance.ASSUME_ROLE;
    release.issuer = deploy;
    release.sourceIdentity = deploy.sourceIdentity;
    Principal oidc = automationRole(acct, "github-actions", "github-actions-" + acct.name, "GitHubActions",
        List.of("s3", "ecr", "cloudformation", "sts"), List.of(), 7, 20, 0.2, r);
    oidc.sourceIps.add(publicIp(r, true));
    oidc.userAgent = USER_AGENTS_SDK[2];
    sessions(oidc, 3600, Issuance.WEB_IDENTITY, r);
    Principal mfaUser = new Principal(PrincipalKind.IAM_USER, acct, person + "-mfa",
        "AIDA" + Ids.upper(r, 17));
    mfaUser.accessKeyId = "AKIA" + Ids.upper(r, 16);
    mfaUser.services.addAll(List.of("ec2", "s3", "iam", "cloudwatch", "sts"));
    mfaUser.sourceIps.add(publicIp(r, false));
    mfaUser.userAgent = USER_AGENTS_CLI[0];
    mfaUser.startHour = 8;
    mfaUser.endHour = 18;
    mfaUser.weight = 0.2;
    mfaUser.mfa = true;
    sessions(mfaUser, 12 * 3600, Issuance.SESSION_TOKEN, r);
    acct.principals.addAll(List.of(deploy, release, oidc, mfaUser));
  }

  /** A role used by automation (an SDK agent), active from startHour to endHour. */
  private static Principal automationRole(Account acct, String name, String roleName, String sessionName,
      List<String> services, List<String> sourceIps, int startHour, int endHour, double weight,
      SplittableRandom r) {
    Principal p = new Principal(PrincipalKind.ROLE_SESSION, acct, name, "AROA" + Ids.upper(r, 17));
    p.roleName = roleName;
    p.sessionName = sessionName;
    p.services.addAll(services);
    p.sourceIps.addAll(sourceIps);
    p.userAgent = USER_AGENTS_SDK[3];
    p.startHour = startHour;
    p.endHour = endHour;
    p.weight = weight;
    return p;
  }

  /**
   * The IAM user whose long-term key calls GetFederationToken for the account's partner; the
   * federated user's events name it as their session issuer. Not an active principal itself.
   */
  static Principal federationBroker(Account acct) {
    SplittableRandom r = new SplittableRandom(acct.id.hashCode());
    Principal broker = new Principal(PrincipalKind.IAM_USER, acct, "partner-broker", "AIDA" + Ids.upper(r, 17));
    broker.accessKeyId = "AKIA" + Ids.upper(r, 16);
    broker.sourceIps.add(publicIp(r, true));
    broker.userAgent = USER_AGENTS_SDK[0];
    return broker;
  }

  private static void habitsFor(Principal p, SplittableRandom r, String[][] habits, double weight) {
    String[] h = habits[r.nextInt(habits.length)];
    for (String s : h) {
      p.services.add(s);
    }
    p.services.add("sts");
    p.sourceIps.add(publicIp(r, false));
    if (r.nextBoolean()) {
      p.sourceIps.add(publicIp(r, false));
    }
    p.startHour = 6 + r.nextInt(4);
    p.endHour = p.startHour + 8 + r.nextInt(4);
    p.weight = weight;
  }

  /** A public-looking address; AWS-owned ranges for cloud callers, ISP-like for people. */
  static String publicIp(SplittableRandom r, boolean aws) {
    int[] firsts = aws ? new int[] {3, 18, 34, 52, 54} : new int[] {24, 71, 81, 88, 92, 98, 109, 176};
    int a = firsts[r.nextInt(firsts.length)];
    return a + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
  }

  static <T> T pick(SplittableRandom r, T[] items) {
    return items[r.nextInt(items.length)];
  }

}
