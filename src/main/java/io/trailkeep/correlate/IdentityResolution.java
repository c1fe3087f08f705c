package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The facts of {@code entity_identities}: for each principal that acted on a day, the user name
 * it acted under and the identity behind it. An IAM user is itself; an Identity Center
 * permission-set session ({@code AWSReservedSSO_} roles) is the user its session is named after;
 * any other role session is the identity at the start of its chain in {@code entity_sessions}
 * (a SAML subject, a web identity, the IAM user or AWS service that assumed it; {@code role-chain}
 * when the chain is not resolved); a federated user is the caller of its
 * {@code GetFederationToken}; the STS calls that issue SAML and web-identity sessions name their
 * subject themselves. Cost: one aggregation of the changed days' identity columns, one join with
 * the sessions of their temporary keys. No side effects.
 */
public final class IdentityResolution {
  private IdentityResolution() {}

  /** Rows of {@code entity_identities} (its schema, in order); {@code sessions}: entity_sessions or null. */
  public static Dataset<Row> rows(Dataset<Row> ct, Dataset<Row> sessions) {
    Dataset<Row> events = ct.select(col("account_id"), col("actor_type"), col("actor_principal"),
        col("actor_session"), col("access_key_id"), col("eventTime"), col("event_date"),
        col("userIdentity.userName").alias("_user"), col("userIdentity.arn").alias("_arn"),
        col("userIdentity.sessionContext.sourceIdentity").alias("_source_identity"))
        .filter(col("actor_principal").isNotNull());
    if (sessions != null) {
      events = events.join(sessions.select(col("access_key_id"), col("root_type"), col("root_arn")),
          new String[] {"access_key_id"}, "left");
    } else {
      events = events.withColumn("root_type", lit(null).cast("string")).withColumn("root_arn", lit(null).cast("string"));
    }
    Column type = col("actor_type");
    Column sso = type.equalTo("AssumedRole").and(col("actor_principal").contains(":role/aws-reserved/sso.amazonaws.com/")
        .or(col("actor_principal").contains("/AWSReservedSSO_")));
    Column kind = when(type.equalTo("IAMUser"), "iam-user")
        .when(type.equalTo("Root"), "root")
        .when(type.equalTo("IdentityCenterUser").or(sso), "identity-center")
        .when(type.equalTo("SAMLUser"), "saml")
        .when(type.equalTo("WebIdentityUser"), "web-identity")
        .when(type.equalTo("AWSService"), "aws-service")
        .when(col("root_type").equalTo("SAMLUser"), "saml")
        .when(col("root_type").equalTo("WebIdentityUser"), "web-identity")
        .when(col("root_type").equalTo("IAMUser"), "iam-user")
        .when(col("root_type").equalTo("AWSService"), "aws-service")
        .when(type.equalTo("FederatedUser"), "federated")
        .otherwise("role-chain");
    Column identity = when(type.isin("IAMUser", "Root", "AWSService"), col("actor_principal"))
        .when(type.equalTo("IdentityCenterUser"), coalesce(col("_user"), col("actor_principal")))
        .when(sso, col("actor_session"))
        .when(type.isin("SAMLUser", "WebIdentityUser"), coalesce(col("_user"), col("actor_principal")))
        .otherwise(coalesce(col("root_arn"), col("actor_session")));
    Column userName = coalesce(col("_user"), col("actor_session"));
    return events.groupBy(col("account_id"), col("actor_principal").alias("principal_arn"),
            type.alias("principal_type"), userName.alias("user_name"), identity.alias("identity"),
            kind.alias("identity_kind"), col("_source_identity").alias("source_identity"), col("event_date"))
        .agg(min("eventTime").alias("first_seen"), max("eventTime").alias("last_seen"),
            count(lit(1)).alias("events"))
        .select("account_id", "principal_arn", "principal_type", "user_name", "identity", "identity_kind",
            "source_identity", "first_seen", "last_seen", "events", "event_date");
  }
}
