package io.trailkeep.ingest.guardduty;

import io.trailkeep.conf.Severity;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.trailkeep.ingest.JsonSpecReader;
import io.trailkeep.storage.RawFile;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.JsonSpec;
import io.trailkeep.schema.RecordJson;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Computes the derived {@link GuardDutyTable} columns of one finding: parses {@code resource} and
 * {@code service} into trees (findings are few and small, so the tree costs little) and pulls out
 * the type parts, severity band, counts, times and entity keys. Pure functions.
 */
final class FindingDerived {

  private FindingDerived() {}

  private static final JsonSpec F = GuardDutyTable.FINDING;
  private static final int ACCOUNT = F.indexOf("accountId");
  private static final int PARTITION = F.indexOf("partition");
  private static final int TYPE = F.indexOf("type");
  private static final int RESOURCE = F.indexOf("resource");
  private static final int SERVICE = F.indexOf("service");
  private static final int SEVERITY = F.indexOf("severity");
  private static final int CREATED = F.indexOf("createdAt");
  private static final int UPDATED = F.indexOf("updatedAt");

  static Object[] complete(Object[] finding, RawFile file) {
    int derived = GuardDutyTable.DERIVED.size() - 2;
    Object[] out = Arrays.copyOf(finding, finding.length + derived);
    int d = finding.length;
    Timestamp day = finding[CREATED] != null ? (Timestamp) finding[CREATED] : (Timestamp) finding[UPDATED];
    out[d] = Date.valueOf(day.toInstant().atZone(ZoneOffset.UTC).toLocalDate());
    String account = (String) finding[ACCOUNT];
    out[d + 1] = account != null ? account : file.accountId;
    String[] type = splitType((String) finding[TYPE]);
    System.arraycopy(type, 0, out, d + 2, 5);
    Double score = score((String) finding[SEVERITY]);
    out[d + 7] = score;
    out[d + 8] = band(score);
    JsonNode resource = tree((String) finding[RESOURCE]);
    JsonNode service = tree((String) finding[SERVICE]);
    out[d + 9] = text(resource.path("resourceType"));
    out[d + 10] = text(service.path("action").path("actionType"));
    JsonNode count = service.path("count");
    out[d + 11] = count.canConvertToLong() ? count.asLong() : null;
    out[d + 12] = time(service.path("eventFirstSeen"));
    out[d + 13] = time(service.path("eventLastSeen"));
    JsonNode archived = service.path("archived");
    out[d + 14] = archived.isBoolean() ? archived.asBoolean() : null;
    JsonNode sample = service.path("additionalInfo").path("sample");
    out[d + 15] = sample.isBoolean() || sample.isTextual() ? sample.asBoolean() : null;
    JsonNode key = resource.path("accessKeyDetails");
    out[d + 16] = text(key.path("accessKeyId"));
    String user = text(key.path("userName"));
    out[d + 17] = principalArn(text(key.path("userType")), user,
        finding[PARTITION] != null ? (String) finding[PARTITION] : "aws", (String) out[d + 1]);
    if (user == null) {
      user = first(text(resource.path("rdsDbUserDetails").path("user")),
          text(resource.path("kubernetesDetails").path("kubernetesUserDetails").path("username")));
    }
    out[d + 18] = user;
    JsonNode instance = resource.path("instanceDetails");
    out[d + 19] = text(instance.path("instanceId"));
    Set<String> enis = new LinkedHashSet<>();
    Set<String> privateIps = new LinkedHashSet<>();
    Set<String> publicIps = new LinkedHashSet<>();
    for (JsonNode eni : instance.path("networkInterfaces")) {
      add(enis, eni.path("networkInterfaceId"));
      add(privateIps, eni.path("privateIpAddress"));
      for (JsonNode p : eni.path("privateIpAddresses")) {
        add(privateIps, p.path("privateIpAddress"));
      }
      add(publicIps, eni.path("publicIp"));
    }
    Set<String> remote = new LinkedHashSet<>();
    Set<String> domains = new LinkedHashSet<>();
    walk(service, null, remote, domains);
    Set<String> buckets = new LinkedHashSet<>();
    for (JsonNode b : resource.path("s3BucketDetails")) {
      add(buckets, b.path("name"));
    }
    out[d + 20] = array(enis);
    out[d + 21] = array(privateIps);
    out[d + 22] = array(publicIps);
    out[d + 23] = array(remote);
    out[d + 24] = array(domains);
    out[d + 25] = array(buckets);
    out[d + 26] = first(text(resource.path("eksClusterDetails").path("name")),
        text(resource.path("ecsClusterDetails").path("name")));
    out[d + 27] = text(resource.path("kubernetesDetails").path("kubernetesWorkloadDetails").path("name"));
    return out;
  }

  /** [purpose, resource, family, mechanism, artifact] of Purpose:Resource/Family.Mechanism!Artifact. */
  static String[] splitType(String type) {
    String[] out = new String[5];
    if (type == null) {
      return out;
    }
    int colon = type.indexOf(':');
    int slash = type.indexOf('/', Math.max(colon, 0));
    if (colon < 0 || slash < 0) {
      out[2] = type;
      return out;
    }
    out[0] = type.substring(0, colon);
    out[1] = type.substring(colon + 1, slash);
    String rest = type.substring(slash + 1);
    int bang = rest.indexOf('!');
    if (bang >= 0) {
      out[4] = rest.substring(bang + 1);
      rest = rest.substring(0, bang);
    }
    int dot = rest.indexOf('.');
    out[2] = dot < 0 ? rest : rest.substring(0, dot);
    out[3] = dot < 0 ? null : rest.substring(dot + 1);
    return out;
  }

  /** GuardDuty's bands: low below 4, medium below 7, high below 9, critical from 9. */
  static String band(Double score) {
    if (score == null) {
      return null;
    }
    // GuardDuty's bands: low 1.0-3.9, medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0
    return (score < 4 ? Severity.LOW : score < 7 ? Severity.MEDIUM : score < 9 ? Severity.HIGH
        : Severity.CRITICAL).label();
  }

  private static Double score(String json) {
    if (json == null) {
      return null;
    }
    try {
      String t = json.trim();
      if (t.startsWith("\"")) {
        t = t.substring(1, t.length() - 1);
      }
      return Double.valueOf(t);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The IAM ARN a GuardDuty access-key principal stands for, when its type allows building it. */
  static String principalArn(String userType, String userName, String partition, String account) {
    if (userType == null || account == null) {
      return null;
    }
    String base = "arn:" + partition + ":iam::" + account + ":";
    switch (userType) {
      case "Root":
        return base + "root";
      case "IAMUser":
        return userName == null ? null : base + "user/" + userName;
      case "AssumedRole":
      case "Role":
        return userName == null ? null : base + "role/" + userName;
      case "FederatedUser":
        return userName == null ? null
            : "arn:" + partition + ":sts::" + account + ":federated-user/" + userName;
      default:
        return null;
    }
  }

  /** Collects remote addresses (any remoteIpDetails) and domains (any textual "domain"). */
  private static void walk(JsonNode node, String name, Set<String> remote, Set<String> domains) {
    if (node.isObject()) {
      if ("remoteIpDetails".equals(name)) {
        add(remote, node.path("ipAddressV4"));
        add(remote, node.path("ipAddressV6"));
      }
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("domain") && e.getValue().isTextual()) {
          add(domains, e.getValue());
        } else {
          walk(e.getValue(), e.getKey(), remote, domains);
        }
      }
    } else if (node.isArray()) {
      for (JsonNode n : node) {
        walk(n, name, remote, domains);
      }
    }
  }

  private static JsonNode tree(String json) {
    if (json == null) {
      return MissingNode.getInstance();
    }
    try {
      return RecordJson.parse(json);
    } catch (IllegalArgumentException e) {
      return MissingNode.getInstance();
    }
  }

  private static String text(JsonNode n) {
    return n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
  }

  private static void add(Set<String> set, JsonNode n) {
    String t = text(n);
    if (t != null) {
      set.add(t);
    }
  }

  private static Timestamp time(JsonNode n) {
    String t = text(n);
    Instant i = t == null ? null : JsonSpecReader.parseInstant(t);
    return i == null ? null : Timestamp.from(i);
  }

  private static String[] array(Set<String> values) {
    return values.toArray(new String[0]);
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }
}
