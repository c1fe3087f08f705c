package io.trailkeep.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Instance;
import io.trailkeep.generate.Org.Principal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes GuardDuty findings as the S3 export does (schemaVersion 2.0, camelCase, one compact JSON
 * object per line), with the resource and action blocks of each finding family: access keys,
 * instances, S3 buckets, EKS clusters, Lambda functions, RDS instances, ECS clusters, standalone
 * containers and Runtime Monitoring. Entity values come from the generated {@link Org}, so findings
 * name the same keys, instances, ENIs and addresses as CloudTrail and the flow logs.
 */
public final class FindingFactory {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Which resource block a finding carries. */
  public enum Resource { ACCESS_KEY, INSTANCE, S3_BUCKET, EKS, LAMBDA, RDS, ECS, CONTAINER, RUNTIME }

  /** What to write. Fields left null get values drawn from the account. */
  public static final class Spec {
    public String type;
    public Resource resource;
    public double severity = 5.0;
    public Account account;
    public String region = "us-east-1";
    public String detectorId;
    public String id;
    public Instant createdAt;
    public Instant updatedAt;
    public long count = 1;
    public String remoteIp;
    public String domain;
    public Principal principal;
    public Instance instance;
    public boolean sample;
  }

  /** The finding type a resource block usually comes with. */
  public static String typicalType(Resource r) {
    switch (r) {
      case ACCESS_KEY:
        return "Recon:IAMUser/MaliciousIPCaller";
      case INSTANCE:
        return "UnauthorizedAccess:EC2/SSHBruteForce";
      case S3_BUCKET:
        return "Discovery:S3/MaliciousIPCaller";
      case EKS:
        return "Discovery:Kubernetes/MaliciousIPCaller";
      case LAMBDA:
        return "Backdoor:Lambda/C&CActivity.B";
      case RDS:
        return "CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin";
      case ECS:
        return "CryptoCurrency:Runtime/BitcoinTool.B";
      case CONTAINER:
        return "Execution:Runtime/ReverseShell";
      default:
        return "Execution:Runtime/NewBinaryExecuted";
    }
  }

  /** The resource block a finding type's ResourceTypeAffected implies. */
  public static Resource resourceFor(String type) {
    String affected = type.substring(type.indexOf(':') + 1, type.indexOf('/'));
    switch (affected) {
      case "IAMUser":
        return Resource.ACCESS_KEY;
      case "S3":
        return Resource.S3_BUCKET;
      case "Kubernetes":
        return Resource.EKS;
      case "Lambda":
        return Resource.LAMBDA;
      case "RDS":
        return Resource.RDS;
      case "Runtime":
        return Resource.RUNTIME;
      default:
        return Resource.INSTANCE;
    }
  }

  /** One finding line (no newline). */
  public String write(Spec s, SplittableRandom r) {
    Account a = s.account;
    String detector = s.detectorId != null ? s.detectorId : detectorId(a, s.region);
    String id = s.id != null ? s.id : Ids.hex(r, 32);
    Instant created = s.createdAt;
    Instant updated = s.updatedAt != null ? s.updatedAt : created;
    String remote = s.remoteIp != null ? s.remoteIp : Org.publicIp(r, false);
    Instance inst = s.instance != null ? s.instance : a.instances.get(r.nextInt(a.instances.size()));
    ObjectNode f = MAPPER.createObjectNode();
    f.put("schemaVersion", "2.0");
    f.put("accountId", a.id);
    f.put("region", s.region);
    f.put("partition", "aws");
    f.put("id", id);
    f.put("arn", "arn:aws:guardduty:" + s.region + ":" + a.id + ":detector/" + detector + "/finding/" + id);
    f.put("type", s.type);
    ObjectNode res = f.putObject("resource");
    ObjectNode svc = MAPPER.createObjectNode();
    ObjectNode action = MAPPER.createObjectNode();
    switch (s.resource) {
      case ACCESS_KEY:
        accessKey(res, s.principal != null ? s.principal : a.principals.get(0), created, r);
        apiCall(action, remote, s, r);
        break;
      case INSTANCE:
        instance(res, inst, r);
        network(action, s, remote, inst, r);
        break;
      case S3_BUCKET:
        accessKey(res, s.principal != null ? s.principal : a.principals.get(0), created, r);
        res.put("resourceType", "S3Bucket");
        ArrayNode buckets = res.putArray("s3BucketDetails");
        String bucket = a.buckets.get(r.nextInt(a.buckets.size()));
        ObjectNode b = buckets.addObject();
        b.put("arn", "arn:aws:s3:::" + bucket);
        b.put("name", bucket);
        b.put("type", "Destination");
        b.put("createdAt", MILLIS.format(created.minus(400, ChronoUnit.DAYS)));
        b.putObject("owner").put("id", Ids.hex(r, 64));
        b.putObject("defaultServerSideEncryption").put("encryptionType", "AES256");
        apiCall(action, remote, s, r);
        ((ObjectNode) action.get("awsApiCallAction")).put("api", "ListObjects").put("serviceName", "s3.amazonaws.com");
        break;
      case EKS:
        eks(res, a, s.region, r);
        ObjectNode k8s = action.put("actionType", "KUBERNETES_API_CALL").putObject("kubernetesApiCallAction");
        k8s.put("requestUri", "/api/v1/namespaces/kube-system/secrets");
        k8s.put("verb", "list");
        k8s.putArray("sourceIps").add(remote);
        k8s.put("userAgent", "kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9");
        remoteIp(k8s, remote, r);
        k8s.put("statusCode", 200);
        break;
      case LAMBDA:
        res.put("resourceType", "Lambda");
        ObjectNode fn = res.putObject("lambdaDetails");
        String name = a.name + "-processor";
        fn.put("functionArn", "arn:aws:lambda:" + s.region + ":" + a.id + ":function:" + name);
        fn.put("functionName", name);
        fn.put("runtime", "python3.12");
        fn.put("role", "arn:aws:iam::" + a.id + ":role/lambda-" + a.name + "-processor");
        ObjectNode vpc = fn.putObject("vpcConfig");
        vpc.put("vpcId", inst.vpcId);
        vpc.putArray("subnetIds").add(inst.subnetId);
        network(action, s, remote, inst, r);
        break;
      case RDS:
        res.put("resourceType", "RDSDBInstance");
        ObjectNode db = res.putObject("rdsDbInstanceDetails");
        db.put("dbInstanceIdentifier", a.name + "-db-1");
        db.put("engine", "aurora-postgresql");
        db.put("engineVersion", "15.4");
        db.put("dbClusterIdentifier", a.name + "-cluster");
        db.put("dbInstanceArn", "arn:aws:rds:" + s.region + ":" + a.id + ":db:" + a.name + "-db-1");
        ObjectNode dbUser = res.putObject("rdsDbUserDetails");
        dbUser.put("user", "app_admin");
        dbUser.put("application", "psql");
        dbUser.put("database", "orders");
        dbUser.put("ssl", "true");
        dbUser.put("authMethod", "PASSWORD");
        ObjectNode login = action.put("actionType", "RDS_LOGIN_ATTEMPT").putObject("rdsLoginAttemptAction");
        remoteIp(login, remote, r);
        login.putArray("loginAttributes").addObject().put("user", "app_admin").put("application", "psql")
            .put("failedLoginAttempts", 0).put("successfulLoginAttempts", 1);
        break;
      case ECS:
        res.put("resourceType", "ECSCluster");
        ObjectNode ecs = res.putObject("ecsClusterDetails");
        ecs.put("name", a.name + "-ecs");
        ecs.put("arn", "arn:aws:ecs:" + s.region + ":" + a.id + ":cluster/" + a.name + "-ecs");
        ecs.put("status", "ACTIVE");
        ObjectNode task = ecs.putObject("taskDetails");
        task.put("arn", "arn:aws:ecs:" + s.region + ":" + a.id + ":task/" + a.name + "-ecs/" + Ids.hex(r, 32));
        task.put("definitionArn", "arn:aws:ecs:" + s.region + ":" + a.id + ":task-definition/worker:7");
        task.putArray("containers").addObject().put("name", "worker").put("image", "public.ecr.aws/example/worker:1.4");
        runtime(svc, action, "/usr/local/bin/xmrig", r);
        break;
      case CONTAINER:
        ObjectNode c = res.putObject("containerDetails");
        c.put("containerRuntime", "docker");
        c.put("id", Ids.hex(r, 64));
        c.put("name", "web-frontend");
        c.put("image", "nginx:1.25");
        instance(res, inst, r);
        res.put("resourceType", "Container");
        runtime(svc, action, "/bin/bash", r);
        break;
      default:
        eks(res, a, s.region, r);
        runtime(svc, action, "/tmp/.x/kworker", r);
        break;
    }
    svc.put("serviceName", "guardduty");
    svc.put("detectorId", detector);
    svc.set("action", action);
    svc.put("resourceRole", "TARGET");
    svc.put("eventFirstSeen", MILLIS.format(created.minusSeconds(60)));
    svc.put("eventLastSeen", MILLIS.format(updated.minusSeconds(30)));
    svc.put("archived", false);
    svc.put("count", s.count);
    svc.put("featureName", featureName(s.resource));
    ObjectNode info = svc.putObject("additionalInfo");
    info.put("value", "{}");
    info.put("type", "default");
    if (s.sample) {
      info.put("sample", true);
    }
    f.set("service", svc);
    f.put("severity", s.severity);
    f.put("createdAt", MILLIS.format(created));
    f.put("updatedAt", MILLIS.format(updated));
    f.put("title", title(s.type));
    f.put("description", "GuardDuty finding " + s.type + " in account " + a.id + ". Remote address "
        + remote + ".");
    return f.toString();
  }

  private static void accessKey(ObjectNode res, Principal p, Instant at, SplittableRandom r) {
    res.put("resourceType", "AccessKey");
    ObjectNode k = res.putObject("accessKeyDetails");
    // the key in use when the activity was seen: a session's key for temporary credentials
    String key = p.accessKeyAt(at);
    k.put("accessKeyId", key != null ? key : "ASIA" + Ids.upper(r, 16));
    k.put("principalId", p.principalId);
    boolean role = p.roleName != null;
    k.put("userName", role ? p.roleName : p.name);
    k.put("userType", p.kind == Org.PrincipalKind.ROOT ? "Root" : role ? "AssumedRole" : "IAMUser");
  }

  private static void apiCall(ObjectNode action, String remote, Spec s, SplittableRandom r) {
    action.put("actionType", "AWS_API_CALL");
    ObjectNode call = action.putObject("awsApiCallAction");
    String api = s.type.contains("CloudTrailLoggingDisabled") ? "StopLogging"
        : s.type.contains("Root") ? "ConsoleLogin" : "ListUsers";
    call.put("api", api);
    call.put("serviceName", api.equals("StopLogging") ? "cloudtrail.amazonaws.com" : "iam.amazonaws.com");
    call.put("callerType", "Remote IP");
    call.put("userAgent", "python-requests/2.31.0 Boto3/1.26.90");
    remoteIp(call, remote, r);
    call.putObject("affectedResources");
  }

  private static void instance(ObjectNode res, Instance inst, SplittableRandom r) {
    res.put("resourceType", "Instance");
    ObjectNode d = res.putObject("instanceDetails");
    d.put("instanceId", inst.id);
    d.put("instanceType", "m6i.large");
    d.put("instanceState", "running");
    d.put("availabilityZone", inst.region + "a");
    d.put("imageId", "ami-" + Ids.hex(r, 17));
    d.put("platform", (String) null);
    ObjectNode eni = d.putArray("networkInterfaces").addObject();
    eni.put("networkInterfaceId", inst.eni);
    eni.put("privateIpAddress", inst.privateIp);
    eni.putArray("privateIpAddresses").addObject().put("privateIpAddress", inst.privateIp)
        .put("privateDnsName", "ip-" + inst.privateIp.replace('.', '-') + ".ec2.internal");
    if (inst.publicIp != null) {
      eni.put("publicIp", inst.publicIp);
      eni.put("publicDnsName", "ec2-" + inst.publicIp.replace('.', '-') + ".compute-1.amazonaws.com");
    }
    eni.put("subnetId", inst.subnetId);
    eni.put("vpcId", inst.vpcId);
    eni.putArray("securityGroups").addObject().put("groupId", "sg-" + Ids.hex(r, 17)).put("groupName", "web");
    d.putArray("tags").addObject().put("key", "Name").put("value", "app-" + inst.id.substring(2, 7));
  }

  private static void network(ObjectNode action, Spec s, String remote, Instance inst,
      SplittableRandom r) {
    if (s.type.contains("!DNS") || s.domain != null && !s.type.contains("Port")) {
      action.put("actionType", "DNS_REQUEST");
      ObjectNode dns = action.putObject("dnsRequestAction");
      dns.put("domain", s.domain != null ? s.domain : "pool.example-miner.net");
      dns.put("protocol", "UDP");
      dns.put("blocked", false);
      return;
    }
    if (s.type.contains("PortProbe")) {
      action.put("actionType", "PORT_PROBE");
      ObjectNode probe = action.putObject("portProbeAction");
      probe.put("blocked", false);
      ObjectNode d = probe.putArray("portProbeDetails").addObject();
      d.putObject("localPortDetails").put("port", 22).put("portName", "SSH");
      d.putObject("localIpDetails").put("ipAddressV4", inst.privateIp);
      remoteIp(d, remote, r);
      return;
    }
    boolean inbound = s.type.contains("BruteForce") || s.type.contains("Probe");
    action.put("actionType", "NETWORK_CONNECTION");
    ObjectNode c = action.putObject("networkConnectionAction");
    c.put("connectionDirection", inbound ? "INBOUND" : "OUTBOUND");
    c.put("protocol", "TCP");
    c.put("blocked", false);
    c.putObject("localPortDetails").put("port", inbound ? 22 : 40000 + r.nextInt(20000))
        .put("portName", inbound ? "SSH" : "Unknown");
    c.putObject("remotePortDetails").put("port", inbound ? 40000 + r.nextInt(20000) : 443)
        .put("portName", inbound ? "Unknown" : "HTTPS");
    c.putObject("localIpDetails").put("ipAddressV4", inst.privateIp);
    remoteIp(c, remote, r);
  }

  private static void remoteIp(ObjectNode parent, String ip, SplittableRandom r) {
    ObjectNode d = parent.putObject("remoteIpDetails");
    d.put("ipAddressV4", ip);
    ObjectNode org = d.putObject("organization");
    org.put("asn", String.valueOf(10000 + r.nextInt(50000)));
    org.put("asnOrg", "EXAMPLE-HOSTING");
    org.put("isp", "Example Hosting");
    org.put("org", "Example Hosting");
    d.putObject("country").put("countryName", "Netherlands");
    d.putObject("city").put("cityName", "Amsterdam");
    d.putObject("geoLocation").put("lat", 52.37).put("lon", 4.89);
  }

  private static void eks(ObjectNode res, Account a, String region, SplittableRandom r) {
    res.put("resourceType", "EKSCluster");
    ObjectNode c = res.putObject("eksClusterDetails");
    c.put("name", a.name + "-eks");
    c.put("arn", "arn:aws:eks:" + region + ":" + a.id + ":cluster/" + a.name + "-eks");
    c.put("vpcId", a.instances.get(0).vpcId);
    c.put("status", "ACTIVE");
    ObjectNode k = res.putObject("kubernetesDetails");
    k.putObject("kubernetesUserDetails").put("username", "system:serviceaccount:default:builder")
        .put("uid", Ids.uuid(r));
    k.putObject("kubernetesWorkloadDetails").put("name", "builder-" + Ids.lower(r, 5))
        .put("type", "pods").put("uid", Ids.uuid(r)).put("namespace", "default");
  }

  private static void runtime(ObjectNode svc, ObjectNode action, String exe, SplittableRandom r) {
    action.removeAll();
    ObjectNode rt = svc.putObject("runtimeDetails");
    ObjectNode p = rt.putObject("process");
    p.put("name", exe.substring(exe.lastIndexOf('/') + 1));
    p.put("executablePath", exe);
    p.put("executableSha256", Ids.hex(r, 64));
    p.put("pid", 1000 + r.nextInt(30000));
    p.put("user", "root");
    p.put("userId", 0);
  }

  private static String featureName(Resource r) {
    switch (r) {
      case ACCESS_KEY:
        return "CloudTrail";
      case S3_BUCKET:
        return "S3DataEvents";
      case EKS:
        return "EksAuditLogs";
      case RDS:
        return "RdsLoginEvents";
      case LAMBDA:
        return "LambdaNetworkLogs";
      case ECS:
      case CONTAINER:
      case RUNTIME:
        return "RuntimeMonitoring";
      default:
        return "FlowLogs";
    }
  }

  private static String title(String type) {
    String family = type.substring(type.indexOf('/') + 1);
    return family.replaceAll("[.!].*$", "").replaceAll("([a-z])([A-Z])", "$1 $2")
        .toLowerCase(Locale.ROOT) + " activity was observed.";
  }

  /** The detector of an account in a region (stable). */
  static String detectorId(Account a, String region) {
    return Ids.hex(new SplittableRandom((a.id + region).hashCode()), 32);
  }
}
