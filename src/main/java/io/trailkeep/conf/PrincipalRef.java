package io.trailkeep.conf;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A principal as a user copies it from a log or a finding, recognised by its form: what
 * {@code --principal} accepts. Each form says which CloudTrail column identifies it
 * ({@link Kind#column()}); a session ARN also names its role, so a lookup that finds nothing can
 * point at the role. Pure parsing, no side effects.
 *
 * @param kind the form
 * @param value the text as given (trimmed)
 * @param account the account id, where the form holds one (else null)
 * @param roleName the role's name for role and session forms (else null)
 * @param sessionName the session's name for a session ARN (else null)
 * @param partition the ARN partition ({@code aws}, {@code aws-cn}, ...) for ARN forms (else null)
 */
public record PrincipalRef(Kind kind, String value, String account, String roleName, String sessionName,
    String partition) {

  /** The forms, and what each matches in CloudTrail's columns. */
  public enum Kind {
    /** {@code arn:aws:iam::A:user/[path/]N}: {@code actor_principal}. */
    IAM_USER("an IAM user ARN", "actor_principal"),
    /** {@code arn:aws:iam::A:role/[path/]N}: every session of the role ({@code actor_principal}). */
    ROLE("an IAM role ARN", "actor_principal"),
    /** {@code arn:aws:iam::A:root}. */
    ROOT("the account's root ARN", "actor_principal"),
    /** {@code arn:aws:sts::A:federated-user/N}. */
    FEDERATED_USER("a federated user ARN", "actor_principal"),
    /** {@code arn:aws:sts::A:assumed-role/R/S}: that one session ({@code userIdentity.arn}). */
    SESSION("an assumed-role session ARN", "userIdentity.arn"),
    /** {@code arn:aws:sts::A:assumed-role/R}: every session of the role R, whatever its path. */
    ROLE_SESSIONS("an assumed-role ARN without a session", "actor_principal"),
    /**
     * {@code AIDA...} (a user), {@code AROA...:S} (one session), {@code A:N} (a federated user),
     * {@code issuer:subject} (SAML and web identities).
     */
    PRINCIPAL_ID("a principal id", "userIdentity.principalId"),
    /** {@code AROA...} alone: every session of the role. */
    ROLE_ID("a role's unique id", "userIdentity.sessionContext.sessionIssuer.principalId"),
    /**
     * {@code service.amazonaws.com}, a 12-digit account, an Identity Center user (as
     * {@code actor_principal} holds it), any other ARN.
     */
    OTHER("a service, an account id or an Identity Center user", "actor_principal");

    private final String description;
    private final String column;

    Kind(String description, String column) {
      this.description = description;
      this.column = column;
    }

    public String description() {
      return description;
    }

    /** The CloudTrail column the form is compared with. */
    public String column() {
      return column;
    }
  }

  private static final String PARTITION = "(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*)";
  private static final Pattern IAM = Pattern.compile("arn:" + PARTITION + ":iam::(\\d{12}):(user|role)/(.+)");
  private static final Pattern ROOT_ARN = Pattern.compile("arn:" + PARTITION + ":iam::(\\d{12}):root");
  private static final Pattern FEDERATED = Pattern.compile("arn:" + PARTITION + ":sts::(\\d{12}):federated-user/(.+)");
  private static final Pattern ASSUMED = Pattern.compile(
      "arn:" + PARTITION + ":sts::(\\d{12}):assumed-role/([\\w+=,.@-]+)(?:/(.+))?");
  private static final Pattern USER_ID = Pattern.compile("AIDA[A-Z0-9]{12,124}");
  private static final Pattern ROLE_ID_ALONE = Pattern.compile("AROA[A-Z0-9]{12,124}");
  private static final Pattern ROLE_SESSION_ID = Pattern.compile("AROA[A-Z0-9]{12,124}:(.+)");
  private static final Pattern FEDERATED_ID = Pattern.compile("(\\d{12}):(.+)");
  /** A SAML or web identity principal id: {@code issuer:subject}. */
  private static final Pattern OTHER_ID = Pattern.compile("(?!arn:)[^:\\s]+:\\S.*");
  /** Any other ARN (an Identity Center user's identitystore ARN, a service-linked form). */
  private static final Pattern OTHER_ARN = Pattern.compile("arn:" + PARTITION + ":[a-z0-9-]+:[a-z0-9-]*:(\\d{12})?:.+");
  private static final Pattern SERVICE = Pattern.compile("[a-z0-9.-]+\\.amazonaws\\.com");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern IDENTITY_CENTER = Pattern.compile("[\\w.-]+/user/[\\w.-]+");

  /** The forms {@code --principal} takes, for messages. */
  public static final String FORMS = "an IAM user or role ARN (arn:aws:iam::123456789012:user/NAME, "
      + "...:role/NAME), an assumed-role session ARN (arn:aws:sts::123456789012:assumed-role/ROLE/SESSION), "
      + "a federated user ARN (arn:aws:sts::123456789012:federated-user/NAME), a principal id (AIDA..., "
      + "AROA..., AROA...:SESSION), a service (NAME.amazonaws.com) or a 12-digit account id";

  /** Recognises {@code text}; an unknown form is a {@link ConfException} naming the forms taken. */
  public static PrincipalRef parse(String flag, String text) {
    if (text == null || text.isBlank()) {
      throw new ConfException(flag + " needs a value: " + FORMS);
    }
    String v = text.trim();
    Matcher m;
    if ((m = IAM.matcher(v)).matches()) {
      boolean user = m.group(3).equals("user");
      String name = m.group(4);
      return new PrincipalRef(user ? Kind.IAM_USER : Kind.ROLE, v, m.group(2), user ? null
          : name.substring(name.lastIndexOf('/') + 1), null, m.group(1));
    }
    if ((m = ROOT_ARN.matcher(v)).matches()) {
      return new PrincipalRef(Kind.ROOT, v, m.group(2), null, null, m.group(1));
    }
    if ((m = FEDERATED.matcher(v)).matches()) {
      return new PrincipalRef(Kind.FEDERATED_USER, v, m.group(2), null, null, m.group(1));
    }
    if ((m = ASSUMED.matcher(v)).matches()) {
      return m.group(4) == null
          ? new PrincipalRef(Kind.ROLE_SESSIONS, v, m.group(2), m.group(3), null, m.group(1))
          : new PrincipalRef(Kind.SESSION, v, m.group(2), m.group(3), m.group(4), m.group(1));
    }
    if (ROLE_ID_ALONE.matcher(v).matches()) {
      return new PrincipalRef(Kind.ROLE_ID, v, null, null, null, null);
    }
    if ((m = ROLE_SESSION_ID.matcher(v)).matches()) {
      return new PrincipalRef(Kind.PRINCIPAL_ID, v, null, null, m.group(1), null);
    }
    if (USER_ID.matcher(v).matches()) {
      return new PrincipalRef(Kind.PRINCIPAL_ID, v, null, null, null, null);
    }
    if ((m = FEDERATED_ID.matcher(v)).matches()) {
      return new PrincipalRef(Kind.PRINCIPAL_ID, v, m.group(1), null, null, null);
    }
    if (SERVICE.matcher(v).matches() || ACCOUNT.matcher(v).matches() || IDENTITY_CENTER.matcher(v).matches()
        || OTHER_ARN.matcher(v).matches()) {
      return new PrincipalRef(Kind.OTHER, v, ACCOUNT.matcher(v).matches() ? v : null, null, null, null);
    }
    if (OTHER_ID.matcher(v).matches()) {
      return new PrincipalRef(Kind.PRINCIPAL_ID, v, null, null, null, null);
    }
    throw new ConfException(flag + " does not look like a principal: '" + v + "'; it takes " + FORMS);
  }

  /** Whether the form names exactly the value held by {@code actor_principal}. */
  public boolean isActorPrincipal() {
    return kind.column().equals("actor_principal") && kind != Kind.ROLE_SESSIONS;
  }

  /** The role's ARN without a path, for role and session forms (else null). */
  public String roleArn() {
    return roleName == null ? null : "arn:" + partition + ":iam::" + account + ":role/" + roleName;
  }

  /**
   * What to try when this finds nothing: the wider forms that would match (for a session: its
   * role), then the forms taken.
   */
  public String widerForms() {
    return switch (kind) {
      case SESSION -> "--principal " + roleArn() + " (or " + "arn:" + partition + ":sts::" + account
          + ":assumed-role/" + roleName + ") shows every session of the role " + roleName;
      case PRINCIPAL_ID -> sessionName != null
          ? "--principal " + value.substring(0, value.indexOf(':')) + " shows every session of that role"
          : "--principal takes " + FORMS;
      default -> "--principal takes " + FORMS;
    };
  }
}
