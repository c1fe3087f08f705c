package io.trailkeep.cli;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.correlate.CorrelateJob;
import io.trailkeep.correlate.Timeline;
import io.trailkeep.correlate.TimelineFiles;
import io.trailkeep.detect.DetectJob;
import io.trailkeep.pipeline.IncidentCheck;
import io.trailkeep.report.IncidentReport;
import io.trailkeep.schema.IncidentTables;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.job.JobResult;
import io.trailkeep.job.TerminalText;
import io.trailkeep.lake.Lake;
import io.trailkeep.pipeline.ScenarioCheck;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.GuardDutyTable;
import io.trailkeep.schema.VpcFlowTable;
import io.trailkeep.spark.Sessions;
import io.trailkeep.storage.LocalS3Server;
import io.trailkeep.storage.S3Clients;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code trailkeep demo}: generates a small organization (CloudTrail, VPC Flow Logs, GuardDuty)
 * with the attack scenarios of the configuration (all of them in conf/local.conf), ingests all
 * three sources, runs the detection rules and checks their alerts against each scenario's ground
 * truth, and answers a few investigation questions from the lake, following the leaked key's
 * address across the sources. Safe to run repeatedly:
 * the generator rewrites identical files and the ingest finds nothing new.
 */
@Command(mixinStandardHelpOptions = true, name = "demo", description = "Generate a small organization, ingest it and run example investigations.")
final class DemoCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Option(names = "--s3", description = "Run the whole demo through a local "
      + "S3-compatible server on 127.0.0.1 (started and stopped by the command; data under "
      + "demo-data/s3), exercising the s3a and SDK paths with no AWS account.")
  boolean s3;

  @Override
  public Integer call() throws IOException {
    if (!s3) {
      return run(common.resolve(Map.of()));
    }
    // the server's data sits beside the local raw folder (demo-data/s3 by default)
    java.nio.file.Path localRaw = Paths.get(Lake.absolute(
        common.resolve(Map.of()).get(ConfKey.RAW)));
    java.nio.file.Path data = localRaw.resolveSibling("s3");
    try (LocalS3Server server = LocalS3Server.start(data)) {
      Map<String, String> local = new LinkedHashMap<>();
      local.put("raw", "s3a://trailkeep-demo-raw/cloudtrail");
      local.put("lake", "s3a://trailkeep-demo-lake/lake");
      local.put("s3.endpoint", server.endpoint());
      local.put("s3.path-style", "true");
      // the local server's fixed identity; it only listens on loopback
      local.put("spark.hadoop.fs.s3a.access.key", LocalS3Server.IDENTITY);
      local.put("spark.hadoop.fs.s3a.secret.key", LocalS3Server.CREDENTIAL);
      TrailkeepConf conf = common.resolve(Map.of()).with(local);
      try (S3Client client =
          S3Clients.create(Sessions.hadoopConf(conf))) {
        for (String bucket : new String[] {"trailkeep-demo-raw", "trailkeep-demo-lake"}) {
          if (client.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
            client.createBucket(r -> r.bucket(bucket));
          }
        }
      }
      common.progress().info("demo: local S3 server at %s (data in %s)", server.endpoint(), data);
      forgetClients(conf);
      try {
        return run(conf);
      } finally {
        forgetClients(conf);
      }
    }
  }

  /** Drops cached s3a clients of the demo buckets: each run's server listens on a new port. */
  private static void forgetClients(TrailkeepConf conf) throws IOException {
    Configuration h = Sessions.hadoopConf(conf);
    for (String root : new String[] {conf.get(ConfKey.RAW),
        conf.get(ConfKey.LAKE)}) {
      FileSystem.get(URI.create(root), h).close();
    }
  }

  private int run(TrailkeepConf conf) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Generator.Result gen = GenerateCommand.generator(conf).progress(common.progress()).execute();
    out.printf("1. generated for organization %s (%d accounts): %d CloudTrail events in %d files, "
        + "%d VPC flow records in %d files, %d GuardDuty finding exports in %d files%n",
        gen.orgId(), gen.accounts().size(), gen.events(), gen.files(), gen.flowRecords(),
        gen.flowFiles(), gen.findingVersions(), gen.findingFiles());
    try (Sessions.Handle session = CommonOptions.session(conf, "demo")) {
      SparkSession spark = session.spark();
      Lake lake = CommonOptions.lake(spark, conf);
      IngestJob.Result ing = IngestJob.into(lake).options(conf).progress(common.progress()).execute();
      out.println("2. " + IngestCommand.human(ing).replace("\n", "\n   "));
      JsonNode truth = groundTruth(spark, Lake.absolute(conf.get(ConfKey.RAW)));
      Dataset<Row> ct = lake.read(CloudTrailTable.NAME);
      long found = 0;
      long expected = 0;
      Map<String, Object> attacker = Map.of();
      if (truth != null) {
        String key = truth.path("entities").path("leaked_access_key_id").asText();
        String ip = truth.path("entities").path("attacker_ip").asText();
        expected = truth.path("event_ids").size();
        out.printf("%n3. What did leaked access key %s do from %s? (scenario %s)%n", key, ip,
            truth.path("scenario").asText());
        Dataset<Row> byKey = ct.filter(col("source_ip").equalTo(lit(ip)))
            .select("eventTime", "eventName", "actor_principal", "access_key_id", "errorCode")
            .orderBy("eventTime");
        List<Row> rows = byKey.collectAsList();
        found = rows.size();
        TablePrinter.table(out, byKey.schema(), rows);
        out.println("\n4. Who turned CloudTrail logging off?");
        Dataset<Row> stop = ct.filter(col("eventName").isin("StopLogging", "DeleteTrail"))
            .select("eventTime", "account_id", "actor_principal", "access_key_id", "source_ip");
        TablePrinter.table(out, stop.schema(), stop.collectAsList());
        attacker = acrossSources(out, lake, ip);
      }
      DetectJob.Result det = DetectJob.on(lake).options(conf).progress(common.progress()).execute();
      out.printf("%n6. Detection: %d rules over %s..%s, %d new alerts%n", det.rulesRun(), det.firstDay(),
          det.lastDay(), det.alertsNew());
      List<ScenarioCheck.Outcome> outcomes = ScenarioCheck.check(lake, Lake.absolute(conf.get(ConfKey.RAW)));
      for (ScenarioCheck.Outcome o : outcomes) {
        out.println(TerminalText.safe(String.format("   %-28s %s", o.scenario(), o.benign()
            ? (o.firedWrongly().isEmpty() ? "benign: no attack rule fired on it"
                : "benign, but fired: " + o.firedWrongly())
            : (o.expected().size() - o.missing().size()) + "/" + o.expected().size()
                + " expected rules fired" + (o.missing().isEmpty() ? "" : ", missing " + o.missing()))));
      }
      Dataset<Row> top = lake.read(AlertsTable.NAME).groupBy("severity", "rule_id")
          .agg(count(lit(1)).alias("alerts")).orderBy(col("alerts").desc(), col("rule_id")).limit(8);
      TablePrinter.table(out, top.schema(), top.collectAsList());
      out.println("\n7. Console sign-ins without MFA, by principal");
      Dataset<Row> noMfa = ct.filter(col("eventName").equalTo("ConsoleLogin")
              .and(col("mfa_used").equalTo(false)))
          .groupBy("account_id", "actor_principal").agg(count(lit(1)).alias("sign_ins"))
          .orderBy(col("sign_ins").desc());
      TablePrinter.table(out, noMfa.schema(), noMfa.limit(10).collectAsList());
      out.println("\n8. Most frequent errors");
      Dataset<Row> errors = ct.filter(col("is_error"))
          .groupBy("eventSource", "eventName", "errorCode").agg(count(lit(1)).alias("events"))
          .orderBy(col("events").desc());
      TablePrinter.table(out, errors.schema(), errors.limit(8).collectAsList());
      CorrelateJob.Result cor = CorrelateJob.on(lake).options(conf).progress(common.progress()).execute();
      out.printf("%n9. Correlation: %d incidents %s from %d alerts and %d GuardDuty findings%n",
          cor.incidents(), cor.incidentsBySeverity(), cor.alertSeeds(), cor.findingSeeds());
      List<IncidentCheck.Outcome> incidents = IncidentCheck.check(lake, Lake.absolute(conf.get(ConfKey.RAW)));
      for (IncidentCheck.Outcome o : incidents) {
        out.println(TerminalText.safe(String.format("   %-28s %s", o.scenario(), o.incident() == null
            ? "no incident"
            : String.format("%s (%s): %.0f%% of its events, which are %.0f%% of the incident's; %d incident(s)",
                o.incident(), o.severity(), 100 * o.recall(), 100 * o.precision(), o.incidents().size()))));
      }
      String reportDir = null;
      if (truth != null) {
        String scenario = truth.path("scenario").asText();
        String incident = incidents.stream().filter(o -> o.scenario().equals(scenario)).findFirst()
            .map(IncidentCheck.Outcome::incident).orElse(null);
        if (incident != null) {
          reportDir = timeline(out, lake, incident, scenario);
        }
      }
      out.printf("%n11. The incident queue (trailkeep triage --top 10)%n");
      TriageCommand.print(out, lake, TriageCommand.queue(lake, "info", 10), "info");
      List<String> tables = lake.tables();
      out.printf("%nTables under %s: %s%n", lake.root(), String.join(", ", tables));
      if (s3) {
        out.println("The local S3 server stops with the demo; its buckets are kept as folders under "
            + "demo-data/s3/ and are served again by the next 'demo --s3'.");
      } else {
        out.println("Query them with: jobs/trailkeep sql \"SELECT eventName, count(*) FROM cloudtrail "
            + "GROUP BY eventName ORDER BY 2 DESC\"");
      }
      List<Map<String, Object>> scenarios = new ArrayList<>();
      for (ScenarioCheck.Outcome o : outcomes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", o.scenario());
        m.put("benign", o.benign());
        m.put("expected_rules", o.expected());
        m.put("missing_rules", o.missing());
        m.put("fired_wrongly", o.firedWrongly());
        incidents.stream().filter(i -> i.scenario().equals(o.scenario())).findFirst().ifPresent(i -> {
          m.put("incident", i.incident());
          m.put("incidents", i.incidents());
          m.put("incident_severity", i.severity());
          m.put("event_recall", i.recall());
          m.put("event_precision", i.precision());
        });
        scenarios.add(m);
      }
      return common.printSummary(out, new Result(gen, ing, det, cor, scenarios, reportDir, expected, found,
          ((Number) attacker.getOrDefault("flow_records", 0L)).longValue(),
          ((Number) attacker.getOrDefault("findings", 0L)).longValue(), tables, lake.root()), "");
    }
  }

  /** What the demo did and found. */
  record Result(Generator.Result generate, IngestJob.Result ingest, DetectJob.Result detect,
      CorrelateJob.Result correlate, List<Map<String, Object>> scenarios, String incidentReport,
      long scenarioEventsExpected,
      long scenarioEventsFound, long scenarioFlowRecordsFound, long scenarioFindingsFound,
      List<String> tables, String lake) implements JobResult {
    @Override
    public String job() {
      return "demo";
    }
  }

  /**
   * Step 9's end: the scenario's incident timeline, grouped, and written as files next to the
   * lake (reports/&lt;incident&gt;/); returns that folder.
   */
  private static String timeline(PrintWriter out, Lake lake, String incident, String scenario) throws IOException {
    Dataset<Row> rows = lake.read(IncidentTables.TIMELINE).filter(col("incident_id").equalTo(lit(incident)))
        .drop("incident_id").orderBy(Timeline.order());
    List<Row> all = rows.collectAsList();
    out.printf("%n10. Timeline of incident %s (scenario %s): %d rows from %s%n", incident, scenario, all.size(),
        all.stream().map(r -> r.<String>getAs("source")).distinct().sorted().toList());
    TablePrinter.table(out, TimelineFiles.GROUPED, TimelineFiles.grouped(all));
    java.nio.file.Path dir = IncidentReport.defaultDir(lake.root()).resolve(incident);
    if (!lake.root().startsWith("s3a:")) {
      TimelineFiles.write(dir, rows.schema(), all, "incident " + incident);
      IncidentReport.Written report = IncidentReport.write(lake, List.of(incident), dir).get(0);
      out.println("Written: " + dir.resolve("timeline.json") + ", timeline.csv and the HTML report "
          + report.html() + " (open it in a browser; it loads nothing from elsewhere)");
      return report.html();
    }
    return null;
  }

  /** Question 5: the attacker's address in the flow logs and GuardDuty; returns the counts. */
  private static Map<String, Object> acrossSources(PrintWriter out, Lake lake, String ip) {
    Map<String, Object> counts = new LinkedHashMap<>();
    out.printf("%n5. Where else does %s appear? VPC flow logs and GuardDuty findings%n", ip);
    if (lake.exists(VpcFlowTable.NAME)) {
      Dataset<Row> flows = lake.read(VpcFlowTable.NAME)
          .filter(col("srcaddr").equalTo(lit(ip)).or(col("dstaddr").equalTo(lit(ip))))
          .groupBy("interface_id", "instance_id", "flow_direction", "action")
          .agg(count(lit(1)).alias("records"), min("start_time").alias("first"),
              max("end_time").alias("last"), sum("bytes").alias("bytes"))
          .orderBy("first", "interface_id", "flow_direction", "action");
      List<Row> rows = flows.collectAsList();
      TablePrinter.table(out, flows.schema(), rows);
      long n = 0;
      for (Row r : rows) {
        n += r.getLong(4);
      }
      counts.put("flow_records", n);
    }
    if (lake.exists(GuardDutyTable.NAME)) {
      Dataset<Row> findings = lake.read(GuardDutyTable.NAME)
          .filter(array_contains(col("remote_ips"), ip))
          .select("updatedAt", "type", "severity_band", "finding_count", "access_key_id",
              "instance_id")
          .orderBy("updatedAt");
      List<Row> rows = findings.collectAsList();
      TablePrinter.table(out, findings.schema(), rows);
      counts.put("findings", (long) rows.size());
    }
    return counts;
  }

  private static JsonNode groundTruth(SparkSession spark, String raw) throws IOException {
    Path p = new Path(raw + "/ground-truth/leaked-access-key.json");
    FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (!fs.exists(p)) {
      return null;
    }
    try (InputStream in = fs.open(p)) {
      return new ObjectMapper().readTree(in);
    }
  }
}
