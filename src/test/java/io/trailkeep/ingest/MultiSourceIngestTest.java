package io.trailkeep.ingest;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.delta.tables.DeltaTable;
import io.trailkeep.generate.FindingFactory;
import io.trailkeep.generate.Generator;
import io.trailkeep.generate.Org;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.ManifestTable;
import io.trailkeep.schema.RecordJson;
import io.trailkeep.schema.VpcFlowTable;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.FlowLines;
import io.trailkeep.testing.TestSpark;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** CloudTrail, VPC Flow Logs and GuardDuty landing together, on real Spark and Delta tables. */
class MultiSourceIngestTest {
  private final SparkSession spark = TestSpark.get();
  private static final StructType LINES = DataTypes.createStructType(List.of(
      DataTypes.createStructField("key", DataTypes.StringType, false),
      DataTypes.createStructField("position", DataTypes.IntegerType, false),
      DataTypes.createStructField("values", DataTypes.StringType, false)));

  private static IngestJob.Result ingest(Lake lake, Path raw) {
    return IngestJob.into(lake).raw(raw.toString()).filesPerTask(32).execute();
  }

  /** The object key from AWSLogs/ on, so local paths and table paths compare. */
  private static String key(String path) {
    return path.substring(path.indexOf("AWSLogs/"));
  }

  private static List<Path> files(Path raw, String marker) {
    try (Stream<Path> s = Files.walk(raw.resolve("AWSLogs"))) {
      return s.filter(p -> Files.isRegularFile(p) && p.toString().contains(marker)).sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> gunzipLines(Path p) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
      return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void threeSourcesLandConsistentlyAndFlowLinesRoundTrip() {
    Path raw = TestSpark.tempDir("raw-multi");
    Lake lake = new Lake(spark, TestSpark.tempDir("lake-multi").toString());
    long seed = 31;
    Generator.Result gen = Generator.with(new Configuration()).raw(raw.toString()).events(1200)
        .days(1).accounts(3).seed(seed).start(LocalDate.of(2026, 6, 10)).execute();

    IngestJob.Result first = ingest(lake, raw);
    assertEquals(0, first.quarantined());
    assertEquals(gen.flowRecords(), first.tables().get(VpcFlowTable.NAME).rowsWritten());
    double ratio = (double) gen.flowRecords() / gen.events();
    assertTrue(ratio > 5 && ratio < 20, "flow volume is about 10x CloudTrail: " + ratio);

    // every value of every flow line is in the table: render rows back and compare whole sets
    List<Row> expected = new ArrayList<>();
    Set<Integer> widths = new HashSet<>();
    boolean hive = false;
    for (Path p : files(raw, "vpcflowlogs")) {
      List<String> lines = gunzipLines(p);
      widths.add(FlowLines.tokens(lines.get(0)).size());
      hive |= p.toString().contains("aws-account-id=");
      for (int i = 1; i < lines.size(); i++) {
        expected.add(RowFactory.create(key(p.toString()), i + 1,
            String.join(" ", FlowLines.tokens(lines.get(i)))));
      }
    }
    assertTrue(widths.containsAll(Set.of(14, 30)), "default and 30-field custom formats: " + widths);
    assertTrue(hive, "some accounts deliver under Hive-compatible prefixes");
    List<Row> actual = new ArrayList<>();
    for (Row r : lake.read(VpcFlowTable.NAME).collectAsList()) {
      List<String> header = FlowLines.tokens(r.getString(r.fieldIndex("log_format")));
      actual.add(RowFactory.create(key(r.getString(r.fieldIndex("source_file"))),
          r.getInt(r.fieldIndex("source_position")),
          String.join(" ", FlowLines.render(c -> r.get(r.fieldIndex(c)), header))));
    }
    DataFrames.assertEqualIgnoringOrder(spark.createDataFrame(expected, LINES),
        spark.createDataFrame(actual, LINES));
    assertEquals(0, lake.read(VpcFlowTable.NAME).filter(col("source_file").contains("aws-account-id=")
        .and(col("log_account_id").isNull())).count(), "Hive prefixes give the account too");

    // GuardDuty: one row per finding id, holding the latest exported version
    Set<String> ids = new HashSet<>();
    long versions = 0;
    for (Path p : files(raw, "/GuardDuty/")) {
      for (String line : gunzipLines(p)) {
        ids.add(RecordJson.parse(line).get("id").asText());
        versions++;
      }
    }
    assertEquals(gen.findingVersions(), versions);
    assertEquals(ids.size(), lake.read(GuardDutyTable.NAME).count());
    assertEquals(ids.size(), lake.read(GuardDutyTable.NAME).select("id").distinct().count());

    // the scenario's address is in all three sources, on the same interface and key
    JsonNode truth = RecordJson.parse(read(raw.resolve("ground-truth/leaked-access-key.json")));
    JsonNode e = truth.get("entities");
    String ip = e.get("attacker_ip").asText();
    assertEquals(truth.get("event_ids").size(),
        lake.read(CloudTrailTable.NAME).filter(col("source_ip").equalTo(lit(ip))).count());
    Dataset<Row> attackerFlows = lake.read(VpcFlowTable.NAME)
        .filter(col("srcaddr").equalTo(lit(ip)).or(col("dstaddr").equalTo(lit(ip))));
    assertEquals(truth.get("flow_records").asLong(), attackerFlows.count());
    assertEquals(Set.of(e.get("affected_eni").asText()), values(attackerFlows, "interface_id"));
    assertEquals(Set.of("ingress", "egress"), values(attackerFlows, "flow_direction"));
    assertEquals(Set.of("ACCEPT", "REJECT"), values(attackerFlows, "action"));
    Dataset<Row> attackerFindings = lake.read(GuardDutyTable.NAME)
        .filter(array_contains(col("remote_ips"), ip));
    assertEquals(Set.of("Recon:IAMUser/MaliciousIPCaller", "UnauthorizedAccess:EC2/SSHBruteForce",
        "Stealth:IAMUser/CloudTrailLoggingDisabled"), values(attackerFindings, "type"));
    Row recon = attackerFindings.filter(col("type").equalTo("Recon:IAMUser/MaliciousIPCaller")).first();
    assertEquals(e.get("leaked_access_key_id").asText(), recon.getString(recon.fieldIndex("access_key_id")));
    assertEquals(11L, recon.getLong(recon.fieldIndex("finding_count")), "third export wins");
    Row ssh = attackerFindings.filter(col("type").equalTo("UnauthorizedAccess:EC2/SSHBruteForce")).first();
    assertEquals(e.get("affected_instance_id").asText(), ssh.getString(ssh.fieldIndex("instance_id")));

    // instances and their interfaces are the organization's, in flows and findings alike
    Set<String> orgPairs = new HashSet<>();
    for (Org.Account a : Org.build(seed, 3).accounts) {
      for (Org.Instance i : a.instances) {
        orgPairs.add(i.id + "/" + i.eni);
      }
    }
    Set<String> flowPairs = new HashSet<>();
    for (Row r : lake.read(VpcFlowTable.NAME).filter(col("instance_id").isNotNull())
        .select("instance_id", "interface_id").distinct().collectAsList()) {
      flowPairs.add(r.getString(0) + "/" + r.getString(1));
    }
    assertTrue(orgPairs.containsAll(flowPairs), flowPairs.toString());
    for (Row r : lake.read(GuardDutyTable.NAME).filter(col("instance_id").isNotNull())
        .select("instance_id", "eni_ids").collectAsList()) {
      assertTrue(orgPairs.contains(r.getString(0) + "/" + r.getList(1).get(0)), r.toString());
    }

    // a rerun adds nothing; neither does one after a crash that lost the manifest commit
    Dataset<Row> flowsBefore = spark.createDataFrame(lake.read(VpcFlowTable.NAME).collectAsList(),
        VpcFlowTable.SCHEMA);
    Dataset<Row> findingsBefore = spark.createDataFrame(
        lake.read(GuardDutyTable.NAME).collectAsList(), GuardDutyTable.SCHEMA);
    assertEquals(0, ingest(lake, raw).rowsWritten());
    DeltaTable.forPath(spark, lake.pathOf(ManifestTable.NAME))
        .delete(col("source").isin("vpcflow", "guardduty"));
    IngestJob.Result afterCrash = ingest(lake, raw);
    assertEquals(0, afterCrash.rowsWritten());
    assertEquals(gen.flowRecords() + versions, afterCrash.duplicatesDropped());
    DataFrames.assertEqualIgnoringOrder(flowsBefore, lake.read(VpcFlowTable.NAME));
    DataFrames.assertEqualIgnoringOrder(findingsBefore, lake.read(GuardDutyTable.NAME));
  }

  @Test
  void aNightlyRunListsOnlyRecentDaysOfBothFlowLogLayouts() {
    Path raw = TestSpark.tempDir("raw-hive");
    Lake lake = new Lake(spark, TestSpark.tempDir("lake-hive").toString());
    LocalDate start = LocalDate.of(2026, 6, 1);
    Generator.with(new Configuration()).raw(raw.toString()).events(300).days(3).accounts(3)
        .seed(5).start(start).flowRatio(1).findingsPerDay(0).execute();
    IngestJob.Result first = IngestJob.into(lake).raw(raw.toString()).sources("vpcflow")
        .lookbackDays(0).execute();
    assertEquals(files(raw, "vpcflowlogs").size(), first.filesIngested());
    Generator.Result next = Generator.with(new Configuration()).raw(raw.toString()).events(100)
        .days(1).accounts(3).seed(5).start(start.plusDays(3)).flowRatio(1).findingsPerDay(0)
        .execute();
    IngestJob.Result second = IngestJob.into(lake).raw(raw.toString()).sources("vpcflow")
        .lookbackDays(0).execute();
    long lastDay = files(raw, "vpcflowlogs").stream().map(Path::toString)
        .filter(p -> p.contains("/2026/06/03/") || p.contains("/day=03/")).count();
    assertTrue(files(raw, "aws-account-id=").size() > 0, "the Hive layout is present");
    assertEquals(next.flowFiles(), second.filesIngested());
    long notIngested = files(raw, "/").size() - files(raw, "vpcflowlogs").size();
    assertEquals(lastDay + next.flowFiles() + notIngested, second.filesSeen(),
        "flow logs: only the last ingested day and the new one are listed, in both layouts "
            + "(CloudTrail prefixes, never ingested here, are listed in full)");
  }

  @Test
  void aFindingExportedThreeTimesAppearsOnceWithItsLatestState() {
    Path raw = TestSpark.tempDir("raw-gd");
    Lake lake = new Lake(spark, TestSpark.tempDir("lake-gd").toString());
    Org.Account account = Org.build(9, 1).accounts.get(0);
    SplittableRandom r = new SplittableRandom(9);
    FindingFactory factory = new FindingFactory();
    String[] versions = new String[3];
    for (int v = 0; v < 3; v++) {
      FindingFactory.Spec s = new FindingFactory.Spec();
      s.type = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
      s.resource = FindingFactory.Resource.ACCESS_KEY;
      s.severity = 8.0;
      s.account = account;
      s.principal = account.principals.get(0);
      s.id = "5ab4e2b8a6e1f0c3d2e1f0a9b8c7d6e5";
      s.createdAt = Instant.parse("2026-04-01T08:00:00.000Z");
      s.updatedAt = s.createdAt.plusSeconds(6 * 3600L * v);
      s.count = 1 + 4L * v;
      s.remoteIp = "198.51.100.80";
      versions[v] = factory.write(s, r);
    }
    String dir = "AWSLogs/" + account.id + "/GuardDuty/us-east-1/2026/04/0";
    // first night: the first and the third export; second night: the second export arrives late
    Fixtures.writeGzip(raw, dir + "1/0b6f7c1e-1111-4a7e-9d7e-0c2f4c1d9a01.jsonl.gz", versions[0] + "\n");
    Fixtures.writeGzip(raw, dir + "2/0b6f7c1e-3333-4a7e-9d7e-0c2f4c1d9a03.jsonl.gz", versions[2] + "\n");
    IngestJob.Result one = ingest(lake, raw);
    assertEquals(1, one.rowsWritten());
    assertEquals(1, one.duplicatesDropped());
    Fixtures.writeGzip(raw, dir + "2/0b6f7c1e-2222-4a7e-9d7e-0c2f4c1d9a02.jsonl.gz", versions[1] + "\n");
    IngestJob.Result two = ingest(lake, raw);
    assertEquals(0, two.rowsWritten(), "an older version never overwrites a newer one");
    assertEquals(1, two.duplicatesDropped());

    Dataset<Row> table = lake.read(GuardDutyTable.NAME);
    assertEquals(1, table.count());
    Row row = table.first();
    assertEquals(RecordJson.parse(versions[2]), RecordJson.toJson(GuardDutyTable.FINDING, row));
    assertEquals(9L, row.getLong(row.fieldIndex("finding_count")));
    assertTrue(row.getString(row.fieldIndex("source_file")).endsWith("9a03.jsonl.gz"));

    // a newer export replaces the row in place
    String newer = versions[2].replace("\"count\":9", "\"count\":30")
        .replace("\"updatedAt\":\"2026-04-01T20:00:00.000Z\"", "\"updatedAt\":\"2026-04-02T08:00:00.000Z\"");
    Fixtures.writeGzip(raw, dir + "3/0b6f7c1e-4444-4a7e-9d7e-0c2f4c1d9a04.jsonl.gz", newer + "\n");
    assertEquals(1, ingest(lake, raw).rowsWritten());
    assertEquals(1, lake.read(GuardDutyTable.NAME).count());
    assertEquals(30L, lake.read(GuardDutyTable.NAME).first().getLong(row.fieldIndex("finding_count")));
  }

  @Test
  void parquetDeliveryLandsLikeTheSameRecordsAsText() throws IOException {
    Path raw = TestSpark.tempDir("raw-parquet");
    Lake lake = new Lake(spark, TestSpark.tempDir("lake-parquet").toString());
    String acct = "123456789010";
    String header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
        + "bytes start end action log-status vpc-id tcp-flags flow-direction";
    String[] lines = {
        "5 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1781078400 1781078460 ACCEPT OK vpc-abcdefab012345678 2 ingress",
        "5 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1781078400 1781078460 REJECT OK - 2 ingress",
        "5 123456789010 eni-1235b8ca123456789 - - - - - - - 1781078400 1781078460 - NODATA - - -"};
    String prefix = "AWSLogs/" + acct + "/vpcflowlogs/us-east-1/2026/06/10/" + acct
        + "_vpcflowlogs_us-east-1_fl-1234abcd_20260610T0800Z_";
    Fixtures.writeGzip(raw, prefix + "aaaa1111.log.gz", header + "\n" + String.join("\n", lines) + "\n");

    // the same records as AWS writes them in Parquet: underscored names, typed, nulls for '-'
    List<String> names = FlowLines.tokens(header);
    List<StructField> fields = new ArrayList<>();
    for (String n : names) {
      VpcFlowTable.Field f = VpcFlowTable.field(n);
      fields.add(DataTypes.createStructField(n.replace('-', '_'),
          f.type == VpcFlowTable.Type.STRING ? DataTypes.StringType
              : f.type == VpcFlowTable.Type.INT ? DataTypes.IntegerType : DataTypes.LongType, true));
    }
    List<Row> rows = new ArrayList<>();
    for (String line : lines) {
      List<String> t = FlowLines.tokens(line);
      Object[] v = new Object[t.size()];
      for (int i = 0; i < v.length; i++) {
        VpcFlowTable.Field f = VpcFlowTable.field(names.get(i));
        String s = t.get(i);
        v[i] = s.equals("-") ? null : f.type == VpcFlowTable.Type.STRING ? s
            : f.type == VpcFlowTable.Type.INT ? (Object) Integer.valueOf(s) : (Object) Long.valueOf(s);
      }
      rows.add(RowFactory.create(v));
    }
    Path out = TestSpark.tempDir("parquet-out");
    spark.createDataFrame(rows, DataTypes.createStructType(fields)).coalesce(1).write()
        .option("compression", "gzip").mode("overwrite").parquet(out.toString());
    Path part;
    try (Stream<Path> s = Files.list(out)) {
      part = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Path parquetOnly = TestSpark.tempDir("raw-parquet-only");
    Fixtures.writeBytes(parquetOnly, prefix + "bbbb2222.log.parquet", Files.readAllBytes(part));
    Path textOnly = TestSpark.tempDir("raw-text-only");
    Fixtures.writeGzip(textOnly, prefix + "aaaa1111.log.gz", header + "\n" + String.join("\n", lines) + "\n");
    Fixtures.writeBytes(raw, prefix + "bbbb2222.log.parquet", Files.readAllBytes(part));

    // the same records delivered twice, as text and as Parquet, land once
    IngestJob.Result result = ingest(lake, raw);
    assertEquals(0, result.quarantined());
    assertEquals(3, result.rowsWritten());
    assertEquals(3, result.duplicatesDropped());
    // and each delivery alone lands the same rows
    Lake fromParquet = new Lake(spark, TestSpark.tempDir("lake-parquet-only").toString());
    Lake fromText = new Lake(spark, TestSpark.tempDir("lake-text-only").toString());
    assertEquals(3, ingest(fromParquet, parquetOnly).rowsWritten());
    assertEquals(3, ingest(fromText, textOnly).rowsWritten());
    String[] compare = VpcFlowTable.SCHEMA.fieldNames();
    List<String> keep = new ArrayList<>();
    for (String c : compare) {
      if (!c.equals("source_file") && !c.equals("source_position")) {
        keep.add(c);
      }
    }
    DataFrames.assertEqualIgnoringOrder(
        fromText.read(VpcFlowTable.NAME).selectExpr(keep.toArray(new String[0])),
        fromParquet.read(VpcFlowTable.NAME).selectExpr(keep.toArray(new String[0])));
    DataFrames.assertEqualIgnoringOrder(
        fromText.read(VpcFlowTable.NAME).selectExpr(keep.toArray(new String[0])),
        lake.read(VpcFlowTable.NAME).selectExpr(keep.toArray(new String[0])));
  }

  private static Set<String> values(Dataset<Row> d, String column) {
    Set<String> out = new HashSet<>();
    for (Row r : d.select(column).distinct().collectAsList()) {
      out.add(r.getString(0));
    }
    return out;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
