package io.trailkeep.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The forms --principal takes, as logs and findings show them, and the ones it refuses. */
class PrincipalRefTest {

  private static PrincipalRef.Kind kind(String text) {
    return PrincipalRef.parse("--principal", text).kind();
  }

  @Test
  void everyFormALogShows() {
    assertEquals(PrincipalRef.Kind.IAM_USER, kind("arn:aws:iam::123456789012:user/ops/alice"));
    assertEquals(PrincipalRef.Kind.ROLE, kind("arn:aws-us-gov:iam::123456789012:role/ci/deploy"));
    assertEquals(PrincipalRef.Kind.ROOT, kind("arn:aws:iam::123456789012:root"));
    assertEquals(PrincipalRef.Kind.FEDERATED_USER, kind("arn:aws:sts::123456789012:federated-user/partner"));
    PrincipalRef session = PrincipalRef.parse("--principal",
        "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com");
    assertEquals(PrincipalRef.Kind.SESSION, session.kind());
    assertEquals("AWSReservedSSO_Admin_0123", session.roleName());
    assertEquals("alice@example.com", session.sessionName());
    assertEquals("arn:aws:iam::123456789012:role/AWSReservedSSO_Admin_0123", session.roleArn());
    assertEquals(PrincipalRef.Kind.ROLE_SESSIONS, kind("arn:aws:sts::123456789012:assumed-role/deploy"));
    assertEquals(PrincipalRef.Kind.PRINCIPAL_ID, kind("AIDAJQABLZS4A3QDU576Q"));
    assertEquals(PrincipalRef.Kind.PRINCIPAL_ID, kind("AROAJQABLZS4A3QDU576Q:build-42"));
    assertEquals(PrincipalRef.Kind.ROLE_ID, kind("AROAJQABLZS4A3QDU576Q"));
    assertEquals(PrincipalRef.Kind.PRINCIPAL_ID, kind("123456789012:partner"));
    // SAML and web identities: issuer:subject
    assertEquals(PrincipalRef.Kind.PRINCIPAL_ID, kind("accounts.google.com:application-id.apps.googleusercontent.com:user-id"));
    assertEquals(PrincipalRef.Kind.OTHER, kind("ec2.amazonaws.com"));
    assertEquals(PrincipalRef.Kind.OTHER, kind("123456789012"));
    // an Identity Center user as actor_principal holds it
    assertEquals(PrincipalRef.Kind.OTHER,
        kind("arn:aws:identitystore::123456789012:identitystore/d-9067642ac7/user/9a67f2e4-1001-70b6-8d7e-4cd2a1b2c3d4"));
  }

  @Test
  void anythingElseNamesTheFormsTaken() {
    for (String bad : new String[] {"alice", "arn:aws:iam::12345:user/x", "AKIAIOSFODNN7EXAMPLE", " "}) {
      ConfException e = assertThrows(ConfException.class, () -> PrincipalRef.parse("--principal", bad), bad);
      assertEquals(true, e.getMessage().contains("an assumed-role session ARN"), e.getMessage());
    }
  }
}
