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
  private static final Set<String> RULES = Set.of("root-account-usage", "console-login-without-mfa");
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

  @Test
  void aGlobIsLiteralButForItsStars() {
    assertEquals("arn:aws:iam::%:role/ci\\_deploy\\%", RuleExceptions.likePattern("arn:aws:iam::*:role/ci_deploy%"));
  }

  private static void assertProblem(String expected, String yaml) {
    ConfException e = assertThrows(ConfException.class, () -> RuleExceptions.parse("x.yml", yaml, RULES));
    assertEquals("exceptions file x.yml: " + expected, e.getMessage());
  }
}
