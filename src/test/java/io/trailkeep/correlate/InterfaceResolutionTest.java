package io.trailkeep.correlate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.apache.spark.sql.functions.col;

import io.trailkeep.ingest.IngestJob;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.IncidentTables;
import java.sql.Timestamp;
import org.apache.spark.sql.RowFactory;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.EntityTables;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * entity_interfaces from the EC2 calls of one day and the flow logs of that day: an Elastic IP
 * that moves from one instance to another, a private address reused by a new interface, and the
 * interfaces' own addresses as their flow records show them; {@link InterfaceResolution#resolve}
 * answers whose an address was at each moment; a rerun with nothing new writes nothing.
 */
class InterfaceResolutionTest {
  private static final String A = Fixtures.ACCOUNT;

  private static String call(String id, String time, String name, String request, String response) {
    return Fixtures.record(id, time, name).replace("\"readOnly\":true", "\"readOnly\":false")
        .replace("\"requestParameters\":{\"maxResults\":5}", "\"requestParameters\":" + request)
        .replace("\"responseElements\":null", "\"responseElements\":" + response);
  }

  @Test
  void addressesResolveToTheInstanceAndInterfaceTheyBelongedToAtEachTime() {
    Path raw = TestSpark.tempDir("interfaces-raw");
    List<String> calls = List.of(
        call("e1", "2026-03-05T10:00:00Z", "RunInstances", "{\"instanceType\":\"t3.micro\"}",
            "{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-0aaa0000000000000\",\"privateIpAddress\":\"10.0.0.5\","
                + "\"networkInterfaceSet\":{\"items\":[{\"networkInterfaceId\":\"eni-0aaa0000000000000\","
                + "\"privateIpAddress\":\"10.0.0.5\"}]}},{\"instanceId\":\"i-0bbb0000000000000\",\"privateIpAddress\":\"10.0.0.6\","
                + "\"networkInterfaceSet\":{\"items\":[{\"networkInterfaceId\":\"eni-0bbb0000000000000\","
                + "\"privateIpAddress\":\"10.0.0.6\"}]}}]}}"),
        call("e2", "2026-03-05T10:30:00Z", "AllocateAddress", "{\"domain\":\"vpc\"}",
            "{\"allocationId\":\"eipalloc-01\",\"publicIp\":\"203.0.113.50\",\"domain\":\"vpc\"}"),
        call("e3", "2026-03-05T11:00:00Z", "AssociateAddress", "{\"allocationId\":\"eipalloc-01\",\"instanceId\":\"i-0aaa0000000000000\"}",
            "{\"associationId\":\"eipassoc-01\",\"_return\":true}"),
        call("e4", "2026-03-05T13:00:00Z", "DisassociateAddress", "{\"associationId\":\"eipassoc-01\"}",
            "{\"_return\":true}"),
        call("e5", "2026-03-05T14:00:00Z", "AssociateAddress",
            "{\"publicIp\":\"203.0.113.50\",\"networkInterfaceId\":\"eni-0bbb0000000000000\"}",
            "{\"associationId\":\"eipassoc-02\",\"_return\":true}"),
        call("e6", "2026-03-05T16:00:00Z", "CreateNetworkInterface", "{\"subnetId\":\"subnet-01\"}",
            "{\"networkInterface\":{\"networkInterfaceId\":\"eni-0ccc0000000000000\",\"privateIpAddress\":\"10.0.0.5\"}}"),
        call("e7", "2026-03-05T16:05:00Z", "AttachNetworkInterface",
            "{\"networkInterfaceId\":\"eni-0ccc0000000000000\",\"instanceId\":\"i-0ccc0000000000000\",\"deviceIndex\":1}",
            "{\"attachmentId\":\"eni-attach-01\"}"),
        // failed calls state nothing
        call("e8", "2026-03-05T17:00:00Z", "AssociateAddress", "{\"publicIp\":\"203.0.113.99\",\"instanceId\":\"i-0aaa0000000000000\"}",
            "null").replace("\"eventCategory\"", "\"errorCode\":\"InvalidAddress.NotFound\",\"eventCategory\""));
    Fixtures.writeGzip(raw, Fixtures.logKey(A, Fixtures.REGION, "20260305T1805Z", "ifc1"), Fixtures.body(calls));
    // flow records: eni-0bbb0000000000000's egress and ingress (custom format with the direction and the
    // instance), eni-0ddd in the default format, whose own address is the one in most records
    String custom = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
        + "action log-status instance-id flow-direction\n"
        + "5 " + A + " eni-0bbb0000000000000 10.0.0.6 198.51.100.1 40000 443 6 10 800 1772704800 1772704860 ACCEPT OK i-0bbb0000000000000 egress\n"
        + "5 " + A + " eni-0bbb0000000000000 198.51.100.2 10.0.0.6 50000 22 6 3 180 1772708400 1772708460 REJECT OK i-0bbb0000000000000 ingress\n";
    String plain = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
        + "action log-status\n"
        + "2 " + A + " eni-0ddd 10.0.1.9 198.51.100.1 40001 443 6 10 800 1772704800 1772704860 ACCEPT OK\n"
        + "2 " + A + " eni-0ddd 198.51.100.3 10.0.1.9 50001 80 6 3 180 1772704900 1772704960 ACCEPT OK\n"
        + "2 " + A + " eni-0ddd 10.0.1.9 198.51.100.4 40002 443 6 3 180 1772705000 1772705060 ACCEPT OK\n";
    String flowDir = "AWSLogs/" + A + "/vpcflowlogs/us-east-1/2026/03/05/";
    Fixtures.writeGzip(raw, flowDir + A + "_vpcflowlogs_us-east-1_fl-0001_20260305T1000Z_aa01.log.gz", custom);
    Fixtures.writeGzip(raw, flowDir + A + "_vpcflowlogs_us-east-1_fl-0002_20260305T1000Z_aa02.log.gz", plain);
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("interfaces-lake").toString());
    IngestJob.into(lake).raw(raw.toString()).execute();

    EntityResolution.Outcome first = EntityResolution.update(lake, "run-1");
    assertEquals(1, first.cloudtrailDays());
    assertEquals(1, first.flowDays());
    Set<String> facts = new TreeSet<>();
    for (Row r : lake.read(EntityTables.INTERFACES).select("instance_id", "interface_id", "private_ip", "public_ip",
        "evidence", "first_seen", "event_id").collectAsList()) {
      List<String> v = new ArrayList<>();
      for (int i = 0; i < r.length(); i++) {
        v.add(String.valueOf(r.get(i) instanceof java.sql.Timestamp t ? t.toInstant() : r.get(i)));
      }
      facts.add(String.join(" ", v));
    }
    assertEquals(new TreeSet<>(List.of(
        "i-0aaa0000000000000 eni-0aaa0000000000000 10.0.0.5 null RunInstances 2026-03-05T10:00:00Z e1",
        "i-0bbb0000000000000 eni-0bbb0000000000000 10.0.0.6 null RunInstances 2026-03-05T10:00:00Z e1",
        "i-0aaa0000000000000 null null 203.0.113.50 AssociateAddress 2026-03-05T11:00:00Z e3",
        "null null null 203.0.113.50 DisassociateAddress 2026-03-05T13:00:00Z e4",
        "null eni-0bbb0000000000000 null 203.0.113.50 AssociateAddress 2026-03-05T14:00:00Z e5",
        "null eni-0ccc0000000000000 10.0.0.5 null CreateNetworkInterface 2026-03-05T16:00:00Z e6",
        "i-0ccc0000000000000 eni-0ccc0000000000000 null null AttachNetworkInterface 2026-03-05T16:05:00Z e7",
        "i-0bbb0000000000000 eni-0bbb0000000000000 10.0.0.6 null vpc_flow 2026-03-05T10:00:00Z null",
        "null eni-0ddd 10.0.1.9 null vpc_flow 2026-03-05T10:00:00Z null")), facts);

    assertEquals(Optional.empty(), InterfaceResolution.resolve(lake, A, "203.0.113.50", at("10:45")));
    assertEquals("i-0aaa0000000000000", InterfaceResolution.resolve(lake, A, "203.0.113.50", at("12:00")).orElseThrow().instanceId());
    assertTrue(InterfaceResolution.resolve(lake, A, "203.0.113.50", at("13:30")).orElseThrow().released());
    InterfaceResolution.Binding later = InterfaceResolution.resolve(lake, A, "203.0.113.50", at("15:00")).orElseThrow();
    assertEquals("eni-0bbb0000000000000", later.interfaceId());
    assertFalse(later.released());
    assertEquals("eni-0aaa0000000000000", InterfaceResolution.resolve(lake, A, "10.0.0.5", at("12:00")).orElseThrow().interfaceId());
    assertEquals("eni-0ccc0000000000000", InterfaceResolution.resolve(lake, A, "10.0.0.5", at("17:00")).orElseThrow().interfaceId());
    assertEquals("eni-0ddd", InterfaceResolution.resolve(lake, A, "10.0.1.9", at("11:00")).orElseThrow().interfaceId());
    assertEquals(Optional.empty(), InterfaceResolution.resolve(lake, "444455556666", "10.0.0.5", at("12:00")));

    // nothing new: nothing read, nothing written
    long version = io.trailkeep.lake.MaintenanceState.currentVersion(lake, EntityTables.INTERFACES);
    assertEquals(new EntityResolution.Outcome(0, 0, 0, 0, 0), EntityResolution.update(lake, "run-2"));
    assertEquals(version, io.trailkeep.lake.MaintenanceState.currentVersion(lake, EntityTables.INTERFACES));

    // an alert on the address that launched i-0aaa and i-0bbb: its incident's timeline holds the
    // flows of the launched instances' interfaces, with peers that are none of its addresses
    Instant t = at("10:30");
    lake.ensure(AlertsTable.NAME, AlertsTable.SCHEMA, AlertsTable.PARTITION_COLUMN, java.util.Map.of());
    lake.spark().createDataFrame(List.of(RowFactory.create("a-address", "test-rule", 1, "test", "high",
        "a test alert on an address", List.of(), List.of(), Timestamp.from(t), Timestamp.from(t.plusSeconds(60)), A,
        "us-east-1", null, null, "198.51.100.7", null, List.of(), List.of(), 1L, "run-test", Timestamp.from(t), null,
        java.sql.Date.valueOf("2026-03-05"))), AlertsTable.SCHEMA)
        .write().format("delta").mode("append").save(lake.pathOf(AlertsTable.NAME));
    CorrelateJob.Result correlated = CorrelateJob.on(lake).execute();
    assertEquals(1, correlated.incidents(), correlated.toString());
    Set<String> flows = new TreeSet<>();
    for (Row r : lake.read(IncidentTables.TIMELINE).filter(col("source").equalTo("vpc_flow"))
        .select("source_ip", "target", "count").collectAsList()) {
      flows.add(r.getString(0) + " " + r.getString(1) + " " + r.getLong(2));
    }
    assertEquals(2, flows.size(), flows.toString());
    assertTrue(flows.stream().anyMatch(f -> f.startsWith("198.51.100.2 ")), flows.toString());

    // alerts from the private address 10.0.0.5 at 12:00 and 12:20 (eni-0aaa's then) and at 16:30
    // (eni-0ccc's by then): with a window wide enough to span them all, the first two are one
    // incident and the third another, because the address was on another interface
    List<Row> alerts = new ArrayList<>();
    for (String[] a : new String[][] {{"a-12-00", "12:00"}, {"a-12-20", "12:20"}, {"a-16-30", "16:30"}}) {
      Instant when = at(a[1]);
      alerts.add(RowFactory.create(a[0], "test-rule", 1, "test", "high", "a test alert from a private address",
          List.of(), List.of(), Timestamp.from(when), Timestamp.from(when.plusSeconds(60)), A, "us-east-1", null, null,
          "10.0.0.5", null, List.of(), List.of(), 1L, "run-test", Timestamp.from(when), null,
          java.sql.Date.valueOf("2026-03-05")));
    }
    lake.spark().createDataFrame(alerts, AlertsTable.SCHEMA)
        .write().format("delta").mode("append").save(lake.pathOf(AlertsTable.NAME));
    CorrelateJob.on(lake).option("correlate.window-minutes", "600").execute();
    Set<String> groups = new TreeSet<>();
    for (Row r : lake.read(IncidentTables.INCIDENTS).select("alert_ids").collectAsList()) {
      groups.add(String.join(",", new TreeSet<>(r.<String>getList(0))));
    }
    assertEquals(Set.of("a-address", "a-12-00,a-12-20", "a-16-30"), groups);
  }

  private static Instant at(String hhmm) {
    return Instant.parse("2026-03-05T" + hhmm + ":00Z");
  }
}
