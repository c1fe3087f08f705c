package io.trailkeep.ingest.cloudtrail;

import io.trailkeep.storage.RawFile;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.JsonSpec;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import org.apache.spark.sql.Row;

/**
 * Computes TrailKeep's derived CloudTrail columns (see {@link CloudTrailTable#DERIVED}) from the
 * parsed record values. Pure functions; cheap (no JSON re-parsing except a substring test on
 * additionalEventData for console sign-ins).
 */
final class CloudTrailDerived {

  private CloudTrailDerived() {}

  private static final JsonSpec R = CloudTrailTable.RECORD;
  private static final int USER_IDENTITY = R.indexOf("userIdentity");
  private static final int EVENT_TIME = R.indexOf("eventTime");
  private static final int EVENT_NAME = R.indexOf("eventName");
  private static final int SOURCE_IP = R.indexOf("sourceIPAddress");
  private static final int ERROR_CODE = R.indexOf("errorCode");
  private static final int ERROR_MESSAGE = R.indexOf("errorMessage");
  private static final int READ_ONLY = R.indexOf("readOnly");
  private static final int EVENT_TYPE = R.indexOf("eventType");
  private static final int RECIPIENT = R.indexOf("recipientAccountId");
  private static final int FROM_CONSOLE = R.indexOf("sessionCredentialFromConsole");
  private static final int ADDITIONAL = R.indexOf("additionalEventData");

  private static final JsonSpec UI = CloudTrailTable.USER_IDENTITY;
  private static final int UI_TYPE = UI.indexOf("type");
  private static final int UI_PRINCIPAL_ID = UI.indexOf("principalId");
  private static final int UI_ARN = UI.indexOf("arn");
  private static final int UI_ACCOUNT = UI.indexOf("accountId");
  private static final int UI_KEY = UI.indexOf("accessKeyId");
  private static final int UI_USER = UI.indexOf("userName");
  private static final int UI_INVOKED_BY = UI.indexOf("invokedBy");
  private static final int UI_SESSION_CONTEXT = UI.indexOf("sessionContext");
  private static final int UI_ON_BEHALF = UI.indexOf("onBehalfOf");
  // sessionContext: attributes(0), sessionIssuer(1); attributes: creationDate(0), mfaAuthenticated(1)
  private static final int SC_ATTRIBUTES = 0;
  private static final int SC_ISSUER = 1;
  private static final int ATTR_MFA = 1;
  private static final int ISSUER_ARN = 2;

  /** Record values followed by the derived columns, without source_file/source_position. */
  static Object[] complete(Object[] record, RawFile file) {
    int derived = CloudTrailTable.DERIVED.size() - 2;
    Object[] out = new Object[record.length + derived];
    System.arraycopy(record, 0, out, 0, record.length);
    int d = record.length;
    Row ui = (Row) record[USER_IDENTITY];
    Timestamp time = (Timestamp) record[EVENT_TIME];
    String type = str(ui, UI_TYPE);
    String eventName = (String) record[EVENT_NAME];

    out[d] = Date.valueOf(time.toInstant().atZone(ZoneOffset.UTC).toLocalDate());
    out[d + 1] = firstNonEmpty((String) record[RECIPIENT], str(ui, UI_ACCOUNT), file.accountId);
    out[d + 2] = type;
    String[] principal = principal(ui, type);
    out[d + 3] = principal[0];
    out[d + 4] = principal[1];
    out[d + 5] = emptyToNull(str(ui, UI_KEY));
    out[d + 6] = ipOrNull((String) record[SOURCE_IP]);
    out[d + 7] = record[ERROR_CODE] != null || record[ERROR_MESSAGE] != null;
    out[d + 8] = record[READ_ONLY] != null ? record[READ_ONLY] : readOnlyByName(eventName);
    out[d + 9] = isConsole((String) record[EVENT_TYPE], (String) record[FROM_CONSOLE]);
    out[d + 10] = mfaUsed(eventName, (String) record[ADDITIONAL], ui);
    // out[d + 11] record_hash: computed by the pipeline over the record columns
    return out;
  }

  /** [principal, session] for an identity. */
  static String[] principal(Row ui, String type) {
    if (ui == null) {
      return new String[] {null, null};
    }
    String arn = str(ui, UI_ARN);
    if ("AssumedRole".equals(type)) {
      Row sc = (Row) ui.get(UI_SESSION_CONTEXT);
      Row issuer = sc == null ? null : (Row) sc.get(SC_ISSUER);
      String issuerArn = str(issuer, ISSUER_ARN);
      String session = null;
      String roleArn = issuerArn;
      if (arn != null && arn.contains(":assumed-role/")) {
        String[] parts = arn.substring(arn.indexOf(":assumed-role/") + 14).split("/", 2);
        session = parts.length > 1 ? parts[1] : null;
        if (roleArn == null) {
          String prefix = arn.substring(0, arn.indexOf(":assumed-role/"));
          roleArn = prefix.replace(":sts:", ":iam:") + ":role/" + parts[0];
        }
      }
      return new String[] {firstNonEmpty(roleArn, arn, str(ui, UI_PRINCIPAL_ID)), session};
    }
    if ("AWSService".equals(type)) {
      return new String[] {str(ui, UI_INVOKED_BY), null};
    }
    if ("AWSAccount".equals(type)) {
      return new String[] {firstNonEmpty(str(ui, UI_ACCOUNT), str(ui, UI_PRINCIPAL_ID)), null};
    }
    if ("IdentityCenterUser".equals(type)) {
      Row obo = (Row) ui.get(UI_ON_BEHALF);
      String user = str(obo, 0);
      String store = str(obo, 1);
      if (user != null) {
        return new String[] {store == null ? user : store + "/user/" + user, str(ui, UI_USER)};
      }
    }
    return new String[] {firstNonEmpty(arn, str(ui, UI_PRINCIPAL_ID), str(ui, UI_USER)), null};
  }

  private static Boolean readOnlyByName(String eventName) {
    if (eventName == null) {
      return null;
    }
    return eventName.startsWith("Get") || eventName.startsWith("List")
        || eventName.startsWith("Describe") || eventName.startsWith("Head")
        || eventName.startsWith("Lookup");
  }

  private static boolean isConsole(String eventType, String fromConsole) {
    return "AwsConsoleSignIn".equalsIgnoreCase(eventType) || "AwsConsoleAction".equals(eventType)
        || "true".equals(fromConsole);
  }

  private static Boolean mfaUsed(String eventName, String additional, Row ui) {
    if ("ConsoleLogin".equals(eventName) && additional != null) {
      String compact = additional.replace(" ", "");
      if (compact.contains("\"MFAUsed\":\"Yes\"")) {
        return true;
      }
      if (compact.contains("\"MFAUsed\":\"No\"")) {
        return false;
      }
    }
    if (ui != null) {
      Row sc = (Row) ui.get(UI_SESSION_CONTEXT);
      Row attrs = sc == null ? null : (Row) sc.get(SC_ATTRIBUTES);
      String mfa = str(attrs, ATTR_MFA);
      if (mfa != null) {
        return "true".equalsIgnoreCase(mfa);
      }
    }
    return null;
  }

  /** The source address when it is an IPv4 or IPv6 literal (never a DNS lookup). */
  static String ipOrNull(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    return isIpv4(s) || isIpv6(s) ? s : null;
  }

  static boolean isIpv4(String s) {
    int parts = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i == s.length() ? '.' : s.charAt(i);
      if (c == '.') {
        if (value < 0 || value > 255) {
          return false;
        }
        parts++;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        value = value < 0 ? c - '0' : value * 10 + (c - '0');
        if (value > 255) {
          return false;
        }
      } else {
        return false;
      }
    }
    return parts == 4;
  }

  static boolean isIpv6(String s) {
    if (s.indexOf(':') < 0 || s.length() > 45) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
          || c == ':' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String str(Row row, int i) {
    return row == null || row.isNullAt(i) ? null : row.getString(i);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String firstNonEmpty(String... values) {
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }
}
