package io.trailkeep.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.conf.ConfException;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shipped rule pack's metadata, ids and coverage; how rule files are read and refused. */
class RuleLintTest {

  @Test
  void everyShippedRuleHasCompleteMetadata() {
    TreeMap<String, List<String>> problems = new TreeMap<>();
    for (Rule r : RuleFiles.shipped()) {
      if (!r.lint().isEmpty()) {
        problems.put(r.id(), r.lint());
      }
    }
    assertEquals(new TreeMap<>(), problems);
  }

  @Test
  void idsAreTheFileNames() throws IOException {
    Set<String> files = new HashSet<>();
    try (Stream<Path> s = Files.list(Path.of("src/main/resources/rules"))) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml"))
          .forEach(n -> files.add(n.substring(0, n.length() - 4)));
    }
    Set<String> ids = new HashSet<>();
    for (Rule r : RuleFiles.shipped()) {
      assertTrue(r.id().matches("[a-z0-9]+(-[a-z0-9]+)*"), r.id() + " is lower-case words and dashes");
      ids.add(r.id());
    }
    assertEquals(files, ids);
  }

  @Test
  void thePackCoversWhatTheIssueAsksFor() {
    List<Rule> rules = RuleFiles.shipped();
    assertTrue(rules.size() >= 60, "at least 60 rules, got " + rules.size());
    Set<Rule.Type> types = new HashSet<>();
    Set<String> tables = new HashSet<>();
    rules.forEach(r -> {
      types.add(r.type());
      tables.add(r.table());
    });
    assertEquals(Set.of(Rule.Type.values()), types, "every kind of logic is used");
    assertTrue(tables.containsAll(List.of("cloudtrail", "vpc_flow")), "rules read " + tables);
  }

  @Test
  void aDeclaredIdThatDiffersFromTheFileNameIsRefused() throws IOException {
    Path dir = TestSpark.tempDir("bad-rules");
    Files.writeString(dir.resolve("my-rule.yml"), "id: other-name\ntitle: t\nwhere: 'true'\n");
    ConfException e = assertThrows(ConfException.class, () -> RuleFiles.directory(dir));
    assertTrue(e.getMessage().contains("differs from its file name"), e.getMessage());
  }

  @Test
  void aUserRuleMayNotReuseAShippedId() throws IOException {
    Path dir = TestSpark.tempDir("dup-rules");
    Files.writeString(dir.resolve("cloudtrail-logging-stopped.yml"), "title: t\nwhere: 'true'\n");
    ConfException e = assertThrows(ConfException.class, () -> RuleFiles.all(dir));
    assertTrue(e.getMessage().contains("reuses the id"), e.getMessage());
  }

  @Test
  void invalidYamlNamesTheFile() throws IOException {
    Path dir = TestSpark.tempDir("yaml-rules");
    Files.writeString(dir.resolve("broken.yml"), "title: [unclosed\n");
    ConfException e = assertThrows(ConfException.class, () -> RuleFiles.directory(dir));
    assertTrue(e.getMessage().contains("broken.yml"), e.getMessage());
  }

  @Test
  void aMisspeltKeyIsAnErrorNamingTheFileAndTheKey() throws IOException {
    String[][] cases = {
        {"title: t\nwehre: \"eventName = 'X'\"\n", "rule file typo.yml: unknown key 'wehre' (a rule takes id, title,"},
        {"title: t\nwhere: 'true'\nsuppress: {windw: 1h}\n", "rule file typo.yml: unknown key 'suppress.windw' ('suppress' takes principals, accounts, addresses, window)"},
        {"title: t\nwhere: 'true'\nmitre: T1078\n", "rule file typo.yml: 'mitre' must be a mapping with keys among [tactics, techniques], got 'T1078'"},
        {"title: t\nwhere: 'true'\nentities: {princpal: x}\n", "rule file typo.yml: unknown key 'entities.princpal'"},
        {"title: t\nwhere: 'true'\ntests: {positive: [{name: a, cloudtrial: []}]}\n", "rule file typo.yml: unknown key 'tests.positive[1].cloudtrial'"},
        {"title: t\nwhere: 'true'\ntype: predicat\n", "rule file typo.yml: type 'predicat' is not one of predicate, threshold, sequence, query"},
    };
    for (String[] c : cases) {
      Path dir = TestSpark.tempDir("typo-rules");
      Files.writeString(dir.resolve("typo.yml"), c[0]);
      ConfException e = assertThrows(ConfException.class, () -> RuleFiles.directory(dir), c[0]);
      assertTrue(e.getMessage().startsWith(c[1]), e.getMessage());
    }
  }

  @Test
  void aRuleFolderWithATypoExitsTwo() throws IOException {
    Path dir = TestSpark.tempDir("typo-rules-cli");
    Files.writeString(dir.resolve("typo.yml"), "title: t\nwehre: 'true'\n");
    io.trailkeep.cli.CliRunner.Run r = io.trailkeep.cli.CliRunner.run("detect", "--list", "--rules", dir.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().startsWith("trailkeep: rule file typo.yml: unknown key 'wehre'"), r.err());
    io.trailkeep.cli.CliRunner.Run sigma = io.trailkeep.cli.CliRunner.run("detect", "--sigma",
        dir.resolve("no-such-folder").toString(), "--compile-only");
    assertEquals(2, sigma.code(), sigma.out());
    assertTrue(sigma.err().startsWith("trailkeep: Sigma rule folder "), sigma.err());
  }

  @Test
  void lintNamesWhatIsMissing() {
    Rule r = Rule.fromYaml("bare", "user", new java.util.LinkedHashMap<>(java.util.Map.of(
        "where", "eventName = 'X'")), null);
    List<String> expected = new ArrayList<>(List.of("no title", "no description",
        "severity must be one of [info, low, medium, high, critical]",
        "MITRE technique ids (T1234 or T1234.001) are required",
        "MITRE tactic ids (TA0001) are required", "no references", "no false-positive notes",
        "no runbook line", "version must be 1 or more",
        "at least one positive and one negative test case"));
    assertEquals(expected, r.lint());
  }
}
