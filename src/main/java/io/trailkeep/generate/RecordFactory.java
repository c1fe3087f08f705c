package io.trailkeep.generate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes one CloudTrail record as compact JSON, with the field shapes of the documented record
 * contents: userIdentity per identity type, request parameters and resources per service, errors,
 * console sign-ins, S3 and Lambda data events, TLS details. Not thread-safe.
 */
final class RecordFactory {
  private static final JsonFactory JSON = new JsonFactory();

  /** What to write; fields left null get realistic defaults. */
  static final class Spec {
    Principal principal;
    EventCatalog.Api api;
    Instant time;
    String region;
    String sourceIp;
    String userAgent;
    String errorCode;
    String errorMessage;
    String target;
    String requestParametersJson;
    String responseElementsJson;
    boolean consoleFailure;
    /** Replaces the principal's userIdentity (another account's identity, for example). */
    String userIdentityJson;
    /** Replaces the generated resources array. */
    String resourcesJson;
  }

  /** A written record. */
  static final class Written {
    final String json;
    final String eventId;

    Written(String json, String eventId) {
      this.json = json;
      this.eventId = eventId;
    }
  }

  Written write(Spec s, SplittableRandom r) {
    StringWriter w = new StringWriter(900);
    String eventId = Ids.uuid(r);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      Principal p = s.principal;
      Account a = p.account;
      EventCatalog.Api api = s.api;
      boolean signin = api.service.equals("signin");
      boolean service = p.kind == PrincipalKind.SERVICE;
      g.writeStartObject();
      g.writeStringField("eventVersion", api.data ? "1.10" : signin ? "1.08" : "1.09");
      if (s.userIdentityJson != null) {
        g.writeFieldName("userIdentity");
        g.writeRawValue(s.userIdentityJson);
      } else {
        userIdentity(g, p, s, r);
      }
      g.writeStringField("eventTime", DateTimeFormatter.ISO_INSTANT.format(
          s.time.truncatedTo(ChronoUnit.SECONDS)));
      g.writeStringField("eventSource", api.eventSource);
      g.writeStringField("eventName", api.eventName);
      g.writeStringField("awsRegion", s.region);
      String invoker = service ? serviceFor(api) : null;
      g.writeStringField("sourceIPAddress", service ? invoker
          : s.sourceIp != null ? s.sourceIp : p.sourceIps.get(r.nextInt(p.sourceIps.size())));
      String ua = service ? invoker : s.userAgent != null ? s.userAgent : agent(p, api);
      g.writeStringField("userAgent", ua);
      if (s.errorCode != null) {
        g.writeStringField("errorCode", s.errorCode);
      }
      if (s.errorMessage != null) {
        g.writeStringField("errorMessage", s.errorMessage);
      }
      g.writeFieldName("requestParameters");
      if (s.requestParametersJson != null) {
        g.writeRawValue(s.requestParametersJson);
      } else {
        requestParameters(g, p, api, s, r);
      }
      g.writeFieldName("responseElements");
      if (s.responseElementsJson != null) {
        g.writeRawValue(s.responseElementsJson);
      } else if (signin && api.eventName.equals("ConsoleLogin")) {
        g.writeRawValue("{\"ConsoleLogin\":\"" + (s.consoleFailure ? "Failure" : "Success") + "\"}");
      } else if (api.readOnly || s.errorCode != null) {
        g.writeNull();
      } else if (api.eventName.equals("AssumeRole")) {
        g.writeRawValue("{\"credentials\":{\"accessKeyId\":\"ASIA" + Ids.upper(r, 16)
            + "\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE" + Ids.alnum(r, 40) + "\",\"expiration\":\""
            + DateTimeFormatter.ISO_INSTANT.format(s.time.plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS))
            + "\"},\"assumedRoleUser\":{\"assumedRoleId\":\"AROA" + Ids.upper(r, 17) + ":session\","
            + "\"arn\":\"arn:aws:sts::" + a.id + ":assumed-role/" + (s.target != null ? s.target : "role")
            + "/session\"}}");
      } else {
        g.writeRawValue("{\"requestId\":\"" + Ids.uuid(r) + "\"}");
      }
      if (signin) {
        if (api.eventName.equals("ConsoleLogin")) {
          g.writeFieldName("additionalEventData");
          g.writeRawValue("{\"LoginTo\":\"https://console.aws.amazon.com/console/home?state=hashArgs%23"
              + "&isauthcode=true\",\"MobileVersion\":\"No\",\"MFAUsed\":\"" + (p.mfa ? "Yes" : "No")
              + "\"}");
        }
      } else if (api.service.equals("s3") && api.data) {
        g.writeFieldName("additionalEventData");
        g.writeRawValue("{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\","
            + "\"bytesTransferredIn\":" + (api.eventName.startsWith("Put") ? r.nextInt(1 << 20) : 0)
            + ",\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\"" + Ids.alnum(r, 60)
            + "\",\"bytesTransferredOut\":" + (api.eventName.equals("GetObject") ? r.nextInt(1 << 22) : 0)
            + "}");
      }
      g.writeStringField("requestID", api.service.equals("s3") ? Ids.upper(r, 16) : Ids.uuid(r));
      g.writeStringField("eventID", eventId);
      g.writeBooleanField("readOnly", api.readOnly);
      if (s.resourcesJson != null) {
        g.writeFieldName("resources");
        g.writeRawValue(s.resourcesJson);
      } else {
        resources(g, p, api, s, r);
      }
      g.writeStringField("eventType", signin ? "AwsConsoleSignIn"
          : service && r.nextInt(4) == 0 ? "AwsServiceEvent" : "AwsApiCall");
      if (!signin) {
        g.writeBooleanField("managementEvent", !api.data);
      }
      g.writeStringField("recipientAccountId", a.id);
      if (api.eventName.equals("AssumeRole") && r.nextInt(5) == 0) {
        g.writeStringField("sharedEventID", Ids.uuid(r));
      }
      g.writeStringField("eventCategory", api.data ? "Data" : "Management");
      if (!signin && !service) {
        g.writeObjectFieldStart("tlsDetails");
        g.writeStringField("tlsVersion", r.nextInt(5) == 0 ? "TLSv1.2" : "TLSv1.3");
        g.writeStringField("cipherSuite", "TLS_AES_128_GCM_SHA256");
        g.writeStringField("clientProvidedHostHeader", host(api, s.region));
        g.writeEndObject();
        if (p.kind == PrincipalKind.SSO_USER && p.userAgent.startsWith("Mozilla")) {
          g.writeStringField("sessionCredentialFromConsole", "true");
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Written(w.toString(), eventId);
  }

  private static void userIdentity(JsonGenerator g, Principal p, Spec s, SplittableRandom r)
      throws IOException {
    Account a = p.account;
    g.writeObjectFieldStart("userIdentity");
    // a session's events all carry its key and creation date; other identities get a recent one
    CredentialSession session = p.sessionAt(s.time);
    String key = p.accessKeyAt(s.time);
    String created = DateTimeFormatter.ISO_INSTANT.format(session != null ? session.start()
        : s.time.minusSeconds(60 + r.nextInt(3000)).truncatedTo(ChronoUnit.SECONDS));
    switch (p.kind) {
      case IAM_USER:
        g.writeStringField("type", "IAMUser");
        g.writeStringField("principalId", p.principalId);
        g.writeStringField("arn", "arn:aws:iam::" + a.id + ":user/" + p.name);
        g.writeStringField("accountId", a.id);
        if (!s.api.service.equals("signin")) {
          g.writeStringField("accessKeyId", key);
        }
        g.writeStringField("userName", p.name);
        if (session != null && !s.api.service.equals("signin")) {
          sessionAttributes(g, created, true, null);
        }
        break;
      case ROOT:
        g.writeStringField("type", "Root");
        g.writeStringField("principalId", a.id);
        g.writeStringField("arn", "arn:aws:iam::" + a.id + ":root");
        g.writeStringField("accountId", a.id);
        g.writeStringField("accessKeyId", "");
        if (!s.api.service.equals("signin")) {
          sessionAttributes(g, created, p.mfa, null);
        }
        break;
      case SERVICE:
        g.writeStringField("type", "AWSService");
        g.writeStringField("invokedBy", serviceFor(s.api));
        break;
      case FEDERATED:
        g.writeStringField("type", "FederatedUser");
        g.writeStringField("principalId", p.principalId);
        g.writeStringField("arn", "arn:aws:sts::" + a.id + ":federated-user/" + p.name);
        g.writeStringField("accountId", a.id);
        g.writeStringField("accessKeyId", key);
        g.writeObjectFieldStart("sessionContext");
        g.writeObjectFieldStart("sessionIssuer");
        g.writeStringField("type", "IAMUser");
        g.writeStringField("principalId", Org.federationBroker(a).principalId);
        g.writeStringField("arn", "arn:aws:iam::" + a.id + ":user/partner-broker");
        g.writeStringField("accountId", a.id);
        g.writeStringField("userName", "partner-broker");
        g.writeEndObject();
        g.writeObjectFieldStart("attributes");
        g.writeStringField("creationDate", created);
        g.writeStringField("mfaAuthenticated", "false");
        g.writeEndObject();
        g.writeEndObject();
        break;
      default:
        if (p.kind == PrincipalKind.SSO_USER && (s.api.service.equals("sso"))) {
          g.writeStringField("type", "IdentityCenterUser");
          g.writeStringField("accountId", a.id);
          g.writeObjectFieldStart("onBehalfOf");
          g.writeStringField("userId", Ids.uuid(new SplittableRandom(p.name.hashCode())));
          g.writeStringField("identityStoreArn", "arn:aws:identitystore::" + a.id + ":identitystore/d-90677"
              + Math.floorMod(a.id.hashCode(), 100000));
          g.writeEndObject();
          g.writeStringField("credentialId", Ids.alnum(r, 20));
          break;
        }
        String path = p.kind == PrincipalKind.SSO_USER
            ? "aws-reserved/sso.amazonaws.com/" : "";
        g.writeStringField("type", "AssumedRole");
        g.writeStringField("principalId", p.principalId + ":" + p.sessionName);
        g.writeStringField("arn", "arn:aws:sts::" + a.id + ":assumed-role/" + p.roleName + "/" + p.sessionName);
        g.writeStringField("accountId", a.id);
        g.writeStringField("accessKeyId", key);
        g.writeObjectFieldStart("sessionContext");
        if (p.sourceIdentity != null) {
          g.writeStringField("sourceIdentity", p.sourceIdentity);
        }
        g.writeObjectFieldStart("sessionIssuer");
        g.writeStringField("type", "Role");
        g.writeStringField("principalId", p.principalId);
        g.writeStringField("arn", "arn:aws:iam::" + a.id + ":role/" + path + p.roleName);
        g.writeStringField("accountId", a.id);
        g.writeStringField("userName", p.roleName);
        g.writeEndObject();
        if (p.kind == PrincipalKind.SSO_USER) {
          g.writeObjectFieldStart("webIdFederationData");
          g.writeEndObject();
        }
        g.writeObjectFieldStart("attributes");
        g.writeStringField("creationDate", created);
        g.writeStringField("mfaAuthenticated", "false");
        g.writeEndObject();
        if (p.kind == PrincipalKind.INSTANCE) {
          g.writeStringField("ec2RoleDelivery", "2.0");
        }
        g.writeEndObject();
        if (p.kind == PrincipalKind.ROLE_SESSION && p.issuance == Org.Issuance.SERVICE_ASSUME_ROLE
            && r.nextInt(3) == 0) {
          g.writeStringField("invokedBy", "lambda.amazonaws.com");
        }
    }
    g.writeEndObject();
  }

  private static void sessionAttributes(JsonGenerator g, String created, boolean mfa, String issuer)
      throws IOException {
    g.writeObjectFieldStart("sessionContext");
    g.writeObjectFieldStart("attributes");
    g.writeStringField("creationDate", created);
    g.writeStringField("mfaAuthenticated", String.valueOf(mfa));
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void requestParameters(JsonGenerator g, Principal p, EventCatalog.Api api, Spec s,
      SplittableRandom r) throws IOException {
    Account a = p.account;
    String name = api.eventName;
    switch (api.service) {
      case "s3": {
        String bucket = s.target != null ? s.target : a.buckets.get(r.nextInt(a.buckets.size()));
        g.writeStartObject();
        g.writeStringField("bucketName", bucket);
        g.writeStringField("Host", bucket + ".s3." + s.region + ".amazonaws.com");
        if (api.data && !name.equals("ListObjects")) {
          g.writeStringField("key", objectKey(r));
        }
        if (name.equals("ListObjects")) {
          g.writeStringField("list-type", "2");
          g.writeStringField("prefix", "reports/");
        }
        g.writeEndObject();
        return;
      }
      case "ec2": {
        if (name.contains("Instance") && !name.startsWith("Describe") || name.equals("DescribeInstanceStatus")
            || name.equals("GetConsoleOutput")) {
          Org.Instance inst = a.instances.get(r.nextInt(a.instances.size()));
          g.writeStartObject();
          g.writeObjectFieldStart("instancesSet");
          g.writeArrayFieldStart("items");
          g.writeStartObject();
          g.writeStringField("instanceId", inst.id);
          g.writeEndObject();
          g.writeEndArray();
          g.writeEndObject();
          g.writeEndObject();
        } else if (name.contains("SecurityGroup")) {
          g.writeRawValue("{\"groupId\":\"sg-" + Ids.hex(r, 17) + "\",\"ipPermissions\":{\"items\":"
              + "[{\"ipProtocol\":\"tcp\",\"fromPort\":22,\"toPort\":22,\"ipRanges\":{\"items\":"
              + "[{\"cidrIp\":\"0.0.0.0/0\"}]}}]}}");
        } else if (name.startsWith("Describe")) {
          g.writeRawValue(r.nextBoolean() ? "{\"maxResults\":1000,\"filterSet\":{}}"
              : "{\"filterSet\":{\"items\":[{\"name\":\"tag:Environment\",\"valueSet\":{\"items\":"
                  + "[{\"value\":\"prod\"}]}}]}}");
        } else {
          g.writeRawValue("{\"resourcesSet\":{\"items\":[{\"resourceId\":\"vol-" + Ids.hex(r, 17) + "\"}]}}");
        }
        return;
      }
      case "iam": {
        g.writeStartObject();
        if (name.contains("Role")) {
          g.writeStringField("roleName", s.target != null ? s.target : "app-" + a.name + "-role");
        } else if (!name.startsWith("List") || name.contains("User") || name.contains("AccessKeys")) {
          g.writeStringField("userName", s.target != null ? s.target : pickUser(a, r));
        }
        if (name.startsWith("Attach") || name.startsWith("Detach")) {
          g.writeStringField("policyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess");
        }
        g.writeEndObject();
        return;
      }
      case "kms": {
        String key = a.kmsKeys.get(r.nextInt(a.kmsKeys.size()));
        g.writeStartObject();
        if (name.equals("Decrypt") || name.equals("Encrypt") || name.startsWith("Generate")) {
          g.writeObjectFieldStart("encryptionContext");
          g.writeStringField("aws:s3:arn", "arn:aws:s3:::" + a.buckets.get(0));
          g.writeEndObject();
          g.writeStringField("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
        }
        if (!name.startsWith("List")) {
          g.writeStringField("keyId", "arn:aws:kms:" + s.region + ":" + a.id + ":key/" + key);
        }
        g.writeEndObject();
        return;
      }
      case "sts": {
        if (name.equals("AssumeRole")) {
          String role = s.target != null ? s.target : "app-" + a.name + "-role";
          g.writeRawValue("{\"roleArn\":\"arn:aws:iam::" + a.id + ":role/" + role + "\","
              + "\"roleSessionName\":\"" + Ids.lower(r, 8) + "\",\"durationSeconds\":3600}");
        } else if (name.equals("GetCallerIdentity")) {
          g.writeNull();
        } else {
          g.writeRawValue("{\"durationSeconds\":43200}");
        }
        return;
      }
      case "signin":
        g.writeNull();
        return;
      case "lambda":
        g.writeRawValue("{\"functionName\":\"arn:aws:lambda:" + s.region + ":" + a.id + ":function:"
            + a.name + "-processor\"}");
        return;
      case "secretsmanager":
      case "ssm":
        g.writeRawValue("{\"" + (api.service.equals("ssm") ? "name" : "secretId") + "\":\"/"
            + a.name + "/db/password\"" + (api.service.equals("ssm") ? ",\"withDecryption\":true" : "")
            + "}");
        return;
      default:
        if (api.readOnly && r.nextBoolean()) {
          g.writeNull();
        } else {
          g.writeRawValue("{\"maxResults\":" + (50 + r.nextInt(50)) + "}");
        }
    }
  }

  private static void resources(JsonGenerator g, Principal p, EventCatalog.Api api, Spec s,
      SplittableRandom r) throws IOException {
    Account a = p.account;
    if (api.service.equals("kms") && !api.eventName.startsWith("List")) {
      g.writeArrayFieldStart("resources");
      g.writeStartObject();
      g.writeStringField("accountId", a.id);
      g.writeStringField("type", "AWS::KMS::Key");
      g.writeStringField("ARN", "arn:aws:kms:" + s.region + ":" + a.id + ":key/" + a.kmsKeys.get(0));
      g.writeEndObject();
      g.writeEndArray();
    } else if (api.service.equals("s3") && api.data) {
      String bucket = s.target != null ? s.target : a.buckets.get(0);
      g.writeArrayFieldStart("resources");
      g.writeStartObject();
      g.writeStringField("type", "AWS::S3::Object");
      g.writeStringField("ARN", "arn:aws:s3:::" + bucket + "/" + objectKey(r));
      g.writeEndObject();
      g.writeStartObject();
      g.writeStringField("accountId", a.id);
      g.writeStringField("type", "AWS::S3::Bucket");
      g.writeStringField("ARN", "arn:aws:s3:::" + bucket);
      g.writeEndObject();
      g.writeEndArray();
    } else if (api.eventName.equals("AssumeRole")) {
      g.writeArrayFieldStart("resources");
      g.writeStartObject();
      g.writeStringField("accountId", a.id);
      g.writeStringField("type", "AWS::IAM::Role");
      g.writeStringField("ARN", "arn:aws:iam::" + a.id + ":role/" + (s.target != null ? s.target
          : "app-" + a.name + "-role"));
      g.writeEndObject();
      g.writeEndArray();
    }
  }

  private static String pickUser(Account a, SplittableRandom r) {
    for (int i = 0; i < 4; i++) {
      Principal p = a.principals.get(r.nextInt(a.principals.size()));
      if (p.kind == PrincipalKind.IAM_USER) {
        return p.name;
      }
    }
    return "ci-deployer";
  }

  private static String objectKey(SplittableRandom r) {
    return new String[] {"reports/", "exports/", "uploads/", "backup/"}[r.nextInt(4)]
        + "2026/" + Ids.lower(r, 12) + new String[] {".csv", ".json", ".parquet", ".tar.gz"}[r.nextInt(4)];
  }

  private static String agent(Principal p, EventCatalog.Api api) {
    if (api.service.equals("signin")) {
      return p.kind == PrincipalKind.IAM_USER || p.kind == PrincipalKind.ROOT
          ? Org.USER_AGENTS_CONSOLE[Math.floorMod(p.name.hashCode(), Org.USER_AGENTS_CONSOLE.length)]
          : p.userAgent;
    }
    String ua = p.userAgent;
    if (ua.contains("%s")) {
      return String.format(ua, api.service + "." + api.eventName.toLowerCase(Locale.ROOT));
    }
    return ua;
  }

  static String serviceFor(EventCatalog.Api api) {
    switch (api.service) {
      case "sts":
        return "ec2.amazonaws.com";
      case "kms":
        return "s3.amazonaws.com";
      case "logs":
        return "lambda.amazonaws.com";
      default:
        return "autoscaling.amazonaws.com";
    }
  }

  private static String host(EventCatalog.Api api, String region) {
    String prefix = api.eventSource.replace(".amazonaws.com", "");
    if (prefix.equals("iam") || prefix.equals("organizations") || prefix.equals("route53")) {
      return prefix + ".amazonaws.com";
    }
    return prefix + "." + region + ".amazonaws.com";
  }
}
