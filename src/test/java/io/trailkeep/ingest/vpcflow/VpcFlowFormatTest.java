package io.trailkeep.ingest.vpcflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.storage.RawFile;
import io.trailkeep.schema.VpcFlowTable;
import io.trailkeep.testing.CollectingSink;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.FlowLines;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The flow-log parser on its own: every version and field order, damage, derived columns. */
class VpcFlowFormatTest {

  static final RawFile FILE = RawFile.classify("/raw/AWSLogs/123456789010/vpcflowlogs/us-east-1/"
      + "2015/12/14/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20151214T0000Z_fe123456.log.gz", 0, 0);
  static final String DEFAULT_HEADER = String.join(" ", VpcFlowTable.DEFAULT_FORMAT);

  static CollectingSink parse(String body) {
    CollectingSink c = new CollectingSink();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    new VpcFlowFormat().parse(FILE, bytes, bytes.length, c);
    return c;
  }

  static Object col(Object[] row, String column) {
    return row[VpcFlowTable.indexOf(column)];
  }

  /** Every record's columns give back every value of its line, in the header's order. */
  static void assertRoundTrip(String header, List<String> lines, CollectingSink c) {
    assertEquals(lines.size(), c.records.size(), "records");
    List<String> fields = FlowLines.tokens(header);
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(FlowLines.tokens(lines.get(i)), FlowLines.render(FlowLines.of(c.records.get(i)), fields),
          "line " + (i + 2));
      assertEquals(String.join(" ", fields).replace('_', '-'), col(c.records.get(i), "log_format"));
    }
  }

  @Test
  void awsDocumentationExamplesParseWithNothingQuarantined() {
    List<List<String>> sections = new ArrayList<>();
    List<String> current = new ArrayList<>();
    for (String line : Fixtures.resource("/fixtures/aws-doc-examples/vpc-flow-doc-examples.txt").split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          sections.add(current);
        }
        current = new ArrayList<>();
      } else {
        current.add(line);
      }
    }
    if (!current.isEmpty()) {
      sections.add(current);
    }
    assertEquals(8, sections.size());
    int records = 0;
    for (List<String> s : sections) {
      CollectingSink c = parse(String.join("\n", s) + "\n");
      assertEquals(List.of(), c.quarantined, s.get(0));
      assertRoundTrip(s.get(0), s.subList(1, s.size()), c);
      records += c.records.size();
    }
    assertEquals(27, records);
  }

  @Test
  void everyVersionAndFieldOrderRoundTrips() {
    Random random = new Random(8);
    for (int version = 2; version <= 8; version++) {
      List<String> fields = new ArrayList<>();
      for (VpcFlowTable.Field f : VpcFlowTable.fields()) {
        if (f.version <= version) {
          fields.add(f.name);
        }
      }
      Collections.shuffle(fields, random);
      String header = String.join(" ", fields);
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        List<String> values = new ArrayList<>();
        for (String name : fields) {
          VpcFlowTable.Field f = VpcFlowTable.field(name);
          if (!name.equals("version") && random.nextInt(6) == 0) {
            values.add("-");
          } else if (name.equals("version")) {
            values.add(String.valueOf(version));
          } else if (f.type == VpcFlowTable.Type.STRING) {
            values.add(name.substring(0, 3) + "-" + Integer.toHexString(random.nextInt()));
          } else if (f.type == VpcFlowTable.Type.EPOCH_SECONDS) {
            values.add(String.valueOf(1_700_000_000L + random.nextInt(86400)));
          } else if (f.type == VpcFlowTable.Type.LONG) {
            values.add(String.valueOf(Math.abs(random.nextLong() % 10_000_000_000L)));
          } else {
            values.add(String.valueOf(random.nextInt(65536)));
          }
        }
        lines.add(String.join(" ", values));
      }
      CollectingSink c = parse(header + "\n" + String.join("\n", lines) + "\n");
      assertEquals(List.of(), c.quarantined, "version " + version);
      assertRoundTrip(header, lines, c);
      for (Object[] row : c.records) {
        assertEquals(version, col(row, "version"));
        assertNull(col(row, VpcFlowTable.OTHER_FIELDS), "every value fits its column");
      }
    }
  }

  @Test
  void theHeaderNotTheVersionDecidesWhereValuesGo() {
    // version 3 claimed, fields in an unusual order, one v8 field, one field from the future
    String header = "log-status end dstport future-field reject-reason srcaddr start version protocol";
    CollectingSink c = parse(header + "\nOK 1566848933 5001 x1 BPA 52.213.180.42 1566848875 3 17\n");
    assertEquals(1, c.records.size());
    Object[] r = c.records.get(0);
    assertEquals("OK", col(r, "log_status"));
    assertEquals(new Timestamp(1566848933000L), col(r, "end_time"));
    assertEquals(new Timestamp(1566848875000L), col(r, "start_time"));
    assertEquals(5001, col(r, "dstport"));
    assertEquals("BPA", col(r, "reject_reason"));
    assertEquals("52.213.180.42", col(r, "srcaddr"));
    assertEquals(3, col(r, "version"));
    assertEquals("UDP", col(r, "protocol_name"));
    assertEquals("{\"future-field\":\"x1\"}", col(r, VpcFlowTable.OTHER_FIELDS));
    assertEquals(Date.valueOf("2019-08-26"), col(r, "event_date"));
    assertNull(col(r, "interface_id"), "not in this format");
  }

  @Test
  void aFileWithoutItsHeaderLineIsQuarantinedLineByLine() {
    String body = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n"
        + "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n";
    CollectingSink c = parse(body);
    assertEquals(0, c.records.size());
    assertEquals(2, c.quarantined.size());
    for (int i = 0; i < 2; i++) {
      String[] q = c.quarantined.get(i);
      assertEquals(String.valueOf(i + 1), q[0]);
      assertTrue(q[1].startsWith("no header line"), q[1]);
      assertEquals(body.split("\n")[i], q[2]);
      assertEquals("record", q[3]);
    }
  }

  @Test
  void badLinesAreQuarantinedWithoutLosingTheRestOfTheFile() {
    String good = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
    String shortLine = "2 123456789010 eni-1235b8ca123456789 172.31.16.139";
    String longLine = good + " EXTRA";
    String oddPort = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 http 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
    String body = DEFAULT_HEADER + "\n" + good + "\n" + shortLine + "\n\n" + good + "\r\n" + longLine
        + "\n" + oddPort;
    CollectingSink c = parse(body);
    assertEquals(List.of(2, 5, 7), c.positions);
    assertEquals(2, c.quarantined.size());
    assertEquals("3", c.quarantined.get(0)[0]);
    assertEquals("line has 4 values but the header names 14 fields", c.quarantined.get(0)[1]);
    assertEquals(shortLine, c.quarantined.get(0)[2]);
    assertEquals("6", c.quarantined.get(1)[0]);
    assertEquals(longLine, c.quarantined.get(1)[2]);
    Object[] odd = c.records.get(2);
    assertNull(col(odd, "srcport"));
    assertEquals("{\"srcport\":\"http\"}", col(odd, VpcFlowTable.OTHER_FIELDS), "kept, not dropped");
    assertEquals(FlowLines.tokens(oddPort), FlowLines.render(FlowLines.of(odd), VpcFlowTable.DEFAULT_FORMAT));
  }

  @Test
  void derivedColumnsComeFromTheValuesAndTheObjectKey() {
    CollectingSink c = parse(DEFAULT_HEADER + "\n"
        + "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK\n"
        + "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n");
    Object[] icmp = c.records.get(0);
    assertEquals("ICMP", col(icmp, "protocol_name"));
    assertEquals("123456789010", col(icmp, "log_account_id"));
    assertEquals("fl-1234abcd", col(icmp, "flow_log_id"));
    assertEquals(Date.valueOf("2015-05-29"), col(icmp, "event_date"));
    Object[] idle = c.records.get(1);
    for (String column : new String[] {"srcaddr", "dstaddr", "srcport", "protocol", "packets",
        "action", "protocol_name"}) {
      assertNull(col(idle, column), column);
    }
    assertEquals("NODATA", col(idle, "log_status"));
  }

  @Test
  void aHeaderNamingAFieldTwiceQuarantinesTheRecords() {
    CollectingSink c = parse("version srcaddr srcaddr\n2 1.2.3.4 5.6.7.8\n");
    assertEquals(0, c.records.size());
    assertEquals(1, c.quarantined.size());
    assertTrue(c.quarantined.get(0)[1].contains("'srcaddr' appears twice"), c.quarantined.get(0)[1]);
  }
}
