package io.trailkeep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.json.Json;
import io.trailkeep.schema.IncidentTables;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * triage on a hand-made incidents table: log content in a principal (a role session name is the
 * caller's choice) reaches the terminal escaped and the JSON exact; ties in severity go to the
 * incident with more alerts and findings.
 */
class TriageCommandTest {
  private static final String HOSTILE = "arn:aws:sts::111122223333:assumed-role/ci/\u001b[2J\u001b[31mfake-ok";

  private static Row incident(String id, String severity, long alerts, List<String> principals) {
    Timestamp t = Timestamp.valueOf("2026-05-10 10:00:00");
    return RowFactory.create(id, t, Timestamp.valueOf("2026-05-10 10:35:00"), severity, severity + ": something",
        List.of("111122223333"), List.of("us-east-1"), principals, List.of(), List.of("198.51.100.7"), List.of(),
        List.of("r"), List.of("a"), List.of(), alerts, 0L, 3L, 0L, "f");
  }

  @Test
  void hostileTextIsEscapedOnTheTerminalAndExactInJson() {
    Path lake = TestSpark.tempDir("triage-lake");
    TestSpark.get().createDataFrame(List.of(incident("inc-00000000000000aa", "high", 1, List.of(HOSTILE)),
            incident("inc-00000000000000bb", "high", 2, List.of("arn:aws:iam::111122223333:user/bob")),
            incident("inc-00000000000000cc", "medium", 9, List.of("arn:aws:iam::111122223333:user/carol"))),
        IncidentTables.INCIDENTS_SCHEMA).write().format("delta").save(lake.resolve(IncidentTables.INCIDENTS).toString());
    CliRunner.Run human = CliRunner.run("triage", "--lake", lake.toString());
    assertEquals(0, human.code(), human.err());
    assertFalse(human.out().contains("\u001b"), "no escape character reaches the terminal: " + human.out());
    assertTrue(human.out().contains("assumed-role/ci/\\e[2J\\e[31mfake-ok"), human.out());
    assertTrue(human.out().contains("| 1    | inc-00000000000000bb | high     | 2026-05-10 10:00Z, 35 min |"),
        human.out());
    CliRunner.Run json = CliRunner.run("triage", "--lake", lake.toString(), "--json");
    JsonNode q = Json.parse(json.lastLine());
    assertEquals(List.of("inc-00000000000000bb", "inc-00000000000000aa", "inc-00000000000000cc"),
        List.of(q.get("incidents").get(0).get("incident_id").asText(), q.get("incidents").get(1).get("incident_id").asText(),
            q.get("incidents").get(2).get("incident_id").asText()));
    assertEquals(HOSTILE, q.get("incidents").get(1).get("principals").get(0).asText());
  }
}
