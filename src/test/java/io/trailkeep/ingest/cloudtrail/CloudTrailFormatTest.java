package io.trailkeep.ingest.cloudtrail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.RecordJson;
import io.trailkeep.storage.RawFile;
import io.trailkeep.testing.CollectingSink;
import io.trailkeep.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** The CloudTrail parser on its own: field coverage, losslessness, derived columns, damage. */
class CloudTrailFormatTest {

  static final RawFile FILE = RawFile.classify("/raw/" + Fixtures.logKey(Fixtures.ACCOUNT,
      Fixtures.REGION, "20260301T1005Z", "abcdefghijklmnop"), 100, 0);

  /** Collects what the parser emits. */
  static final class Collected extends CollectingSink {

    Row recordRow(int i) {
      return RowFactory.create(Arrays.copyOf(records.get(i), CloudTrailTable.RECORD.width()));
    }

    Object column(int i, String name) {
      return records.get(i)[CloudTrailTable.SCHEMA.fieldIndex(name)];
    }
  }

  static Collected parse(String body) {
    Collected c = new Collected();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    new CloudTrailFormat().parse(FILE, bytes, bytes.length, c);
    return c;
  }

  static void assertLossless(String body, Collected c) {
    JsonNode input = RecordJson.parse(body).get("Records");
    assertEquals(input.size(), c.records.size(), "every record lands");
    for (int i = 0; i < input.size(); i++) {
      assertEquals(input.get(i), RecordJson.toJson(CloudTrailTable.RECORD, c.recordRow(i)),
          "record " + i + " reconstructs to its input");
    }
  }

  @Test
  void awsDocumentationExamplesParseLosslessly() {
    String body = Fixtures.docExamples();
    Collected c = parse(body);
    // One of the 29 doc "records" is only a userIdentity fragment (no eventTime): it is the one
    // quarantined, with its position and exact text.
    assertEquals(1, c.quarantined.size());
    assertEquals("record has no valid eventTime", c.quarantined.get(0)[1]);
    JsonNode fragment = RecordJson.parse(c.quarantined.get(0)[2]);
    assertTrue(fragment.has("userIdentity") && !fragment.has("eventTime"));
    assertEquals(28, c.records.size());
    JsonNode input = RecordJson.parse(body).get("Records");
    int landed = 0;
    for (int i = 0; i < input.size(); i++) {
      if (input.get(i).has("eventTime")) {
        assertEquals(input.get(i), RecordJson.toJson(CloudTrailTable.RECORD, c.recordRow(landed)),
            "doc record " + i + " reconstructs to its input");
        assertEquals(i, (int) c.positions.get(landed));
        landed++;
      }
    }
    assertEquals(28, landed);
  }

  @Test
  void everyIdentityTypeAndOddShapeParsesLosslessly() {
    String body = Fixtures.resource("/fixtures/identity-types.json");
    Collected c = parse(body);
    assertEquals(0, c.quarantined.size());
    assertLossless(body, c);
  }

  @Test
  void derivedColumnsNormalizeTheActor() {
    Collected c = parse(Fixtures.resource("/fixtures/identity-types.json"));
    String a = "444455556666";
    // IAM user
    assertEquals("arn:aws:iam::" + a + ":user/ops", c.column(0, "actor_principal"));
    assertEquals("AKIAFIXTURE000000001", c.column(0, "access_key_id"));
    // Root: empty access key is not a key
    assertNull(c.column(1, "access_key_id"));
    assertEquals(true, c.column(1, "mfa_used"));
    // assumed role: issuer role (with path) plus the session name
    assertEquals("arn:aws:iam::" + a + ":role/ci/deploy", c.column(2, "actor_principal"));
    assertEquals("build-42", c.column(2, "actor_session"));
    assertEquals("AssumedRole", c.column(2, "actor_type"));
    assertEquals(false, c.column(2, "mfa_used"));
    assertEquals("arn:aws:sts::" + a + ":federated-user/partner", c.column(3, "actor_principal"));
    assertEquals("cloudtrail.amazonaws.com", c.column(4, "actor_principal"));
    assertNull(c.column(4, "source_ip"), "a service name is not an IP");
    assertEquals("777788889999", c.column(5, "actor_principal"));
    assertEquals("arn:aws:identitystore::" + a + ":identitystore/d-9067642ac7/user/"
        + "94482488-3041-7026-18f3-be45837cd0e4", c.column(6, "actor_principal"));
    assertEquals("198.51.100.11", c.column(0, "source_ip"));
    assertEquals(Date.valueOf("2026-03-02"), c.column(0, "event_date"));
    assertEquals(a, c.column(0, "account_id"));
    assertEquals(true, c.column(11, "is_console"), "sessionCredentialFromConsole");
  }

  @Test
  void unknownAndMistypedFieldsGoToTheOverflow() {
    String body = Fixtures.resource("/fixtures/identity-types.json");
    Collected c = parse(body);
    JsonNode extra = RecordJson.parse((String) c.column(12, "extra_fields"));
    assertEquals(RecordJson.parse("{\"x\":1}"), extra.get("brandNewTopLevel"));
    assertEquals("text", extra.get("anotherNewField").asText());
    assertTrue(extra.has("errorCode") && extra.get("errorCode").isNull(), "explicit null kept");
    assertEquals("true", extra.get("readOnly").asText(), "string where a boolean was expected");
    assertEquals("2026-03-05T10:00:00.500+00:00", extra.get("eventTime").asText(), "non-canonical time");
    assertEquals(Timestamp.from(Instant.parse("2026-03-05T10:00:00.500Z")),
        c.column(12, "eventTime"), "and still typed");
    assertNull(c.column(12, "readOnly"));
    Row identity = (Row) c.column(12, "userIdentity");
    assertTrue(identity.getString(CloudTrailTable.USER_IDENTITY.width() - 1).contains("futureIdentityField"));
    // the record whose resources array holds a non-object keeps the array in the overflow
    JsonNode extra14 = RecordJson.parse((String) c.column(13, "extra_fields"));
    assertEquals("not-an-object", extra14.get("resources").get(0).asText());
    assertEquals("TLSv1.2", extra14.get("tlsDetails").asText());
  }

  /** Members of an object text in order, values normalized, nested objects as their member lists. */
  private static List<String> members(String objectText) {
    List<String> out = new ArrayList<>();
    try (JsonParser p = new JsonFactory()
        .createParser(objectText)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        long start = p.currentTokenLocation().getCharOffset();
        if (v == JsonToken.START_OBJECT
            || v == JsonToken.START_ARRAY) {
          p.skipChildren();
        } else {
          p.finishToken();
        }
        String value = objectText.substring((int) start, (int) p.currentLocation().getCharOffset());
        out.add(key + "=" + (v == JsonToken.START_OBJECT
            ? members(value).toString() : RecordJson.parse(value).toString()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // distinct keys may come back in another order; repeated keys must keep theirs
    out.sort(Comparator.comparing(m -> m.substring(0, m.indexOf('='))));
    return out;
  }

  @Test
  void duplicateKeysSurviveTheRoundTripInOrder() {
    String record = Fixtures.record("dup-1", "2026-03-01T10:00:00Z", "DescribeVpcs")
        .replace("\"eventName\":\"DescribeVpcs\",", "\"eventName\":\"DescribeVpcs\","
            + "\"eventName\":\"DeleteTrail\",\"eventName\":null,")
        .replace("\"type\":\"IAMUser\",", "\"type\":\"IAMUser\",\"type\":\"Root\",")
        .replace("\"eventTime\":\"2026-03-01T10:00:00Z\",",
            "\"eventTime\":\"2026-03-01T10:00:00Z\",\"eventTime\":\"2026-03-01T11:00:00.5+01:00\",")
        + ",{\"eventVersion\":\"1.09\",\"eventTime\":\"2026-03-01T10:00:00.000Z\","
        + "\"eventTime\":\"2026-03-01T12:00:00Z\",\"eventID\":\"dup-2\",\"recipientAccountId\":\"1\"}";
    String body = Fixtures.body(List.of(record));
    Collected c = parse(body);
    JsonNode input = RecordJson.parse(body).get("Records");
    assertEquals(2, c.records.size());
    List<String> raw = new ArrayList<>();
    int depth = 0;
    int start = body.indexOf('[') + 1;
    for (int i = start; i < body.length(); i++) {
      char ch = body.charAt(i);
      if (ch == '"') {
        i = body.indexOf('"', i + 1);
        while (body.charAt(i - 1) == '\\') {
          i = body.indexOf('"', i + 1);
        }
      } else if (ch == '{') {
        if (depth++ == 0) {
          start = i;
        }
      } else if (ch == '}' && --depth == 0) {
        raw.add(body.substring(start, i + 1));
      }
    }
    for (int i = 0; i < 2; i++) {
      String rebuilt = RecordJson.toText(CloudTrailTable.RECORD, c.recordRow(i));
      assertEquals(members(raw.get(i)), members(rebuilt), "record " + i);
      // the tree view keeps the last value of a repeated key, as any JSON reader does
      assertEquals(input.get(i), RecordJson.toJson(CloudTrailTable.RECORD, c.recordRow(i)));
    }
    assertEquals("DescribeVpcs", c.column(0, "eventName"), "the first occurrence is the column");
  }

  @Test
  void requestParametersKeepTheirExactText() {
    String body = Fixtures.resource("/fixtures/identity-types.json");
    Collected c = parse(body);
    String params = (String) c.column(13, "requestParameters");
    assertTrue(body.contains(params), "exact slice of the input: " + params);
    assertTrue(params.contains("12345678901234567890"), "big integers are not rounded");
  }

  @Test
  void truncatedJsonKeepsTheRecordsBeforeTheCut() {
    String body = Fixtures.body(List.of(Fixtures.record("e1", "2026-03-01T10:00:00Z", "A"),
        Fixtures.record("e2", "2026-03-01T10:00:01Z", "B"), Fixtures.record("e3", "2026-03-01T10:00:02Z", "C")));
    String cut = body.substring(0, body.length() - 120);
    Collected c = parse(cut);
    assertEquals(2, c.records.size());
    assertEquals(1, c.quarantined.size());
    assertEquals("2", c.quarantined.get(0)[0], "position of the damaged record");
    assertTrue(c.quarantined.get(0)[1].startsWith("truncated JSON"), c.quarantined.get(0)[1]);
    assertTrue(c.quarantined.get(0)[2].startsWith("{\"eventVersion\""), "raw text from the damaged record on");
  }

  @Test
  void invalidJsonIsQuarantinedWithItsPosition() {
    String body = Fixtures.body(List.of(Fixtures.record("e1", "2026-03-01T10:00:00Z", "A"),
        "{\"eventVersion\":\"1.09\",\"eventTime\":\"2026-03-01T10:00:00Z\" \"oops\"}"));
    Collected c = parse(body);
    assertEquals(1, c.records.size());
    assertEquals(1, c.quarantined.size());
    assertTrue(c.quarantined.get(0)[1].startsWith("invalid JSON"), c.quarantined.get(0)[1]);
  }

  @Test
  void bodiesThatAreNotCloudTrailLogsAreQuarantinedWhole() {
    for (String body : new String[] {"[1,2,3]", "{\"digestStartTime\":\"x\",\"logFiles\":[]}", "\"text\""}) {
      Collected c = parse(body);
      assertEquals(0, c.records.size());
      assertEquals(1, c.quarantined.size(), body);
      assertEquals("-1", c.quarantined.get(0)[0]);
      assertTrue(c.quarantined.get(0)[1].startsWith("not a CloudTrail log file"), c.quarantined.get(0)[1]);
    }
  }

  @Test
  void recordsWithoutUsableEventTimeOrNotObjectsAreQuarantinedOneByOne() {
    String missing = Fixtures.record("e2", "x", "B").replace("\"eventTime\":\"x\",", "");
    String unparseable = Fixtures.record("e3", "yesterday", "C");
    String body = Fixtures.body(List.of(Fixtures.record("e1", "2026-03-01T10:00:00Z", "A"), missing,
        "42", unparseable, Fixtures.record("e5", "2026-03-01T10:00:04Z", "E")));
    Collected c = parse(body);
    assertEquals(List.of(0, 4), c.positions);
    assertEquals(3, c.quarantined.size());
    assertEquals("record has no valid eventTime", c.quarantined.get(0)[1]);
    assertEquals(missing, c.quarantined.get(0)[2], "exact raw record");
    assertEquals("record is not a JSON object", c.quarantined.get(1)[1]);
    assertEquals("3", c.quarantined.get(2)[0]);
  }

  @Test
  void emptyRecordsArrayIsAValidEmptyFile() {
    Collected c = parse("{\"Records\":[]}");
    assertEquals(0, c.records.size());
    assertEquals(0, c.quarantined.size());
  }

  @Test
  void ipDetection() {
    assertTrue(CloudTrailDerived.isIpv4("10.0.0.1"));
    assertTrue(!CloudTrailDerived.isIpv4("10.0.0.256"));
    assertTrue(!CloudTrailDerived.isIpv4("10.0.0"));
    assertTrue(CloudTrailDerived.isIpv6("2001:db8::1"));
    assertNull(CloudTrailDerived.ipOrNull("AWS Internal"));
    assertNull(CloudTrailDerived.ipOrNull("ec2.amazonaws.com"));
  }
}
