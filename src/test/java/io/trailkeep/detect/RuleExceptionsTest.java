package io.trailkeep.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.trailkeep.conf.ConfException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The exceptions file: what it holds, and the error for each way it can be wrong. */
class RuleExceptionsTest {
  /** Rule ids, each with whether it reads GuardDuty findings. */
  private static final Map<String, Boolean> RULES = Map.of("root-account-usage", false,
      "console-login-without-mfa", false, "guardduty-high-severity-finding", true);
  private static final String ONE = """
      exceptions:
        - id: break-glass-drill
          rule: root-account-usage
          where:
            account_id: "012345678901"
            source_ip: [198.51.100.7, 198.51.100.8]
          reason: the quarterly break-glass drill
          owner: security@example.com
          expires: 2027-01-31
      """;

  @Test
  void aValidFileGivesItsEntries() {
    RuleExceptions e = RuleExceptions.parse("x.yml", ONE, RULES);
    assertEquals(List.of(new RuleExceptions.Entry("break-glass-drill", "root-account-usage",
        Map.of("account_id", List.of("012345678901"), "source_ip", List.of("198.51.100.7", "198.51.100.8")),
        "the quarterly break-glass drill", "security@example.com", LocalDate.of(2027, 1, 31))), e.entries());
    assertEquals(List.of(), RuleExceptions.parse("empty.yml", "", RULES).entries(), "an empty file is no exception");
    assertEquals(List.of("012345678901"), RuleExceptions.parse("x.yml", ONE.replace("\"012345678901\"", "012345678901"),
        RULES).entries().get(0).where().get("account_id"), "an unquoted account id keeps its leading zero");
  }

  @Test
  void eachMistakeIsNamedWithItsFix() {
    assertProblem("the file must hold one key, 'exceptions', with a list of exceptions", "- id: a\n");
    assertProblem("exception 'break-glass-drill' names rule 'root-usage', which is not a rule of this lake's "
        + "detect (list them with: trailkeep detect --list)", ONE.replace("rule: root-account-usage", "rule: root-usage"));
    assertProblem("exception 'break-glass-drill' names rule 'guardduty-high-severity-finding', which reads GuardDuty "
        + "findings; a finding seeds incidents itself, so quiet it in GuardDuty (archive it, or a suppression rule there)",
        ONE.replace("rule: root-account-usage", "rule: guardduty-high-severity-finding"));
    assertProblem("exception 'break-glass-drill' has a condition on 'userAgent'; conditions may name "
        + RuleExceptions.COLUMNS, ONE.replace("source_ip:", "userAgent:"));
    assertProblem("exception 'break-glass-drill' has no 'expires' (YYYY-MM-DD): every exception needs an end",
        ONE.replace("    expires: 2027-01-31\n", ""));
    assertProblem("exception 'break-glass-drill' has expires '31/01/2027', not a day (YYYY-MM-DD)",
        ONE.replace("2027-01-31", "31/01/2027"));
    assertProblem("exception 'break-glass-drill' has account_id '12345678901'; an account id is 12 digits (quote it)",
        ONE.replace("\"012345678901\"", "12345678901"));
    assertProblem("exception 'break-glass-drill' is listed twice; ids must be unique",
        ONE + ONE.substring(ONE.indexOf("  - id")));
    assertProblem("exception 'break-glass-drill' has no 'owner'", ONE.replace("    owner: security@example.com\n", ""));
    assertProblem("exception 1 has an unknown field 'expiry'; the fields are [expires, id, owner, reason, rule, where]",
        ONE.replace("expires:", "expiry:"));
    assertProblem("exception 1 has id 'Break Glass'; use lower-case letters, digits and '-'",
        ONE.replace("break-glass-drill", "Break Glass"));
    String noWhere = ONE.replaceAll("    where:\n.*\n.*\n", "");
    assertProblem("exception 'break-glass-drill' needs 'where': at least one condition on " + RuleExceptions.COLUMNS
        + " (an exception for every alert of a rule is detect.disabled-rules)", noWhere);
  }

  /**
   * Which alert rows the expression gives which exception: the first matching exception of the
   * file, every condition, a list as any of, a glob literal but for '*', no match on a null value,
   * and only alerts whose evidence ends within the exception's last day.
   */
  @Test
  void theFirstMatchingExceptionSuppressesAnAlertWhoseEvidenceEndsInTime() {
    String file = """
        exceptions:
          - id: ci-deploy-role
            rule: root-account-usage
            where: {principal: "arn:aws:iam::*:role/ci_deploy"}
            reason: r
            owner: o
            expires: 2027-01-31
          - id: whole-account
            rule: root-account-usage
            where: {account_id: ["111122223333", "444455556666"]}
            reason: r
            owner: o
            expires: 2027-01-31
        """;
    RuleExceptions e = RuleExceptions.parse("x.yml", file, RULES);
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("alert_id", "string").add("rule_id", "string").add("window_start", "timestamp")
        .add("window_end", "timestamp").add("account_id", "string").add("region", "string").add("principal", "string")
        .add("access_key_id", "string").add("source_ip", "string").add("resource", "string");
    java.sql.Timestamp start = java.sql.Timestamp.valueOf("2027-01-31 10:00:00");
    java.sql.Timestamp lastSecond = java.sql.Timestamp.valueOf("2027-01-31 23:59:59");
    java.sql.Timestamp nextDay = java.sql.Timestamp.valueOf("2027-02-01 00:00:00");
    List<org.apache.spark.sql.Row> rows = List.of(
        row("both-match", "root-account-usage", start, lastSecond, "111122223333", "arn:aws:iam::111122223333:role/ci_deploy"),
        row("underscore-is-literal", "root-account-usage", start, start, "999999999999", "arn:aws:iam::999999999999:role/ciXdeploy"),
        row("glob-matches", "root-account-usage", start, start, "999999999999", "arn:aws:iam::999999999999:role/ci_deploy"),
        row("second-value-of-a-list", "root-account-usage", start, start, "444455556666", null),
        row("null-principal-other-account", "root-account-usage", start, start, "999999999999", null),
        row("evidence-ends-after-expiry", "root-account-usage", start, nextDay, "111122223333", "x"),
        row("other-rule", "console-login-without-mfa", start, start, "111122223333", "x"));
    java.util.Map<String, String> got = new java.util.TreeMap<>();
    for (org.apache.spark.sql.Row r : io.trailkeep.testing.TestSpark.get().createDataFrame(rows, schema)
        .select(org.apache.spark.sql.functions.col("alert_id"), e.suppressedBy()).collectAsList()) {
      got.put(r.getString(0), r.isNullAt(1) ? "-" : r.getString(1));
    }
    assertEquals(new java.util.TreeMap<>(Map.of("both-match", "ci-deploy-role", "underscore-is-literal", "-",
        "glob-matches", "ci-deploy-role", "second-value-of-a-list", "whole-account", "null-principal-other-account", "-",
        "evidence-ends-after-expiry", "-", "other-rule", "-")), got);
  }

  private static org.apache.spark.sql.Row row(String id, String rule, java.sql.Timestamp start, java.sql.Timestamp end,
      String account, String principal) {
    return org.apache.spark.sql.RowFactory.create(id, rule, start, end, account, "us-east-1", principal, null, null, null);
  }

  @Test
  void aGlobIsLiteralButForItsStars() {
    assertEquals("arn:aws:iam::%:role/ci\\_deploy\\%", RuleExceptions.likePattern("arn:aws:iam::*:role/ci_deploy%"));
  }

  private static void assertProblem(String expected, String yaml) {
    ConfException e = assertThrows(ConfException.class, () -> RuleExceptions.parse("x.yml", yaml, RULES));
    assertEquals("exceptions file x.yml: " + expected, e.getMessage());
  }
}
