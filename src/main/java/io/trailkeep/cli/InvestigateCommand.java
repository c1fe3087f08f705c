package io.trailkeep.cli;

import io.trailkeep.conf.PrincipalRef;
import io.trailkeep.conf.Arguments;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.correlate.Investigation;
import io.trailkeep.correlate.TimelineFiles;
import io.trailkeep.lake.Lake;
import io.trailkeep.report.TimelinePage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.trailkeep.spark.Sessions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trailkeep investigate --principal ARN | --access-key ID | --ip ADDR | --instance ID |
 * --bucket NAME}: the ordered timeline of one entity across CloudTrail, flow logs, GuardDuty and
 * alerts, printed grouped (repeats of the same action collapse into one line with a count), as
 * JSON Lines with {@code --json}, and written as files with {@code --out}.
 */
@Command(mixinStandardHelpOptions = true, name = "investigate",
    description = "Timeline of one principal, access key, address, instance or bucket across "
        + "CloudTrail, VPC flow logs, GuardDuty and alerts.")
final class InvestigateCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--principal", paramLabel = "ARN", description = "A principal ARN (actor_principal).")
  String principal;

  @Option(names = "--access-key", paramLabel = "ID", description = "An access key id (AKIA... or ASIA...).")
  String accessKey;

  @Option(names = "--ip", paramLabel = "ADDR", description = "An IP address (source of calls, flow peer, finding address).")
  String ip;

  @Option(names = "--instance", paramLabel = "ID", description = "An EC2 instance id (i-...).")
  String instance;

  @Option(names = "--bucket", paramLabel = "NAME", description = "An S3 bucket name.")
  String bucket;

  @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day, UTC (default: no bound).")
  String from;

  @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last day, UTC (default: no bound).")
  String to;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "200",
      description = "Grouped lines printed (default 200; --json and --out hold every row).")
  int limit;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Also write timeline.json, timeline.csv and timeline.html into DIR.")
  Path out;

  @Override
  public Integer call() throws IOException {
    TrailkeepConf conf = common.resolve(Map.of());
    Map<Investigation.Kind, String> given = new LinkedHashMap<>();
    put(given, Investigation.Kind.PRINCIPAL, principal);
    put(given, Investigation.Kind.ACCESS_KEY, accessKey);
    put(given, Investigation.Kind.IP, ip);
    put(given, Investigation.Kind.INSTANCE, instance);
    put(given, Investigation.Kind.BUCKET, bucket);
    if (given.size() != 1) {
      throw new ConfException("give exactly one of --principal, --access-key, --ip, --instance or --bucket");
    }
    Map.Entry<Investigation.Kind, String> what = given.entrySet().iterator().next();
    what.getKey().check(what.getValue());
    LocalDate first = Arguments.day("--from", from);
    LocalDate last = Arguments.day("--to", to);
    Arguments.dayRange("--from", first, "--to", last);
    if (limit < 0) {
      throw new ConfException("--limit must be 0 or more, got " + limit);
    }
    PrintWriter w = spec.commandLine().getOut();
    try (Sessions.Handle session = CommonOptions.session(conf, "investigate")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      lake.requireAny("investigate", List.of(CloudTrailTable.NAME), "run 'trailkeep ingest' first");
      Investigation investigation = Investigation.of(lake, what.getKey(), what.getValue()).days(first, last);
      Dataset<Row> timeline = investigation.timeline().drop("incident_id").orderBy(io.trailkeep.correlate.Timeline.order());
      List<Row> rows = timeline.collectAsList();
      if (out != null) {
        String query = what.getKey().flag() + " " + what.getValue() + (first == null ? "" : " from " + first)
            + (last == null ? "" : " to " + last);
        TimelineFiles.write(out, timeline.schema(), rows, query);
        List<Map<String, Object>> maps = new ArrayList<>();
        rows.forEach(r -> maps.add(TimelineFiles.map(timeline.schema(), r)));
        Files.writeString(out.resolve("timeline.html"), TimelinePage.render("Timeline of " + query, null, null,
            List.of(timeline.columns()), maps), StandardCharsets.UTF_8);
      }
      if (rows.isEmpty()) {
        PrincipalRef ref = investigation.principalRef();
        TablePrinter.nothingFound(w, spec.commandLine().getErr(), common.json, what.getKey().flag() + " " + what.getValue()
            + ActivityCommand.days(first, last), ref != null ? ref.widerForms()
            : "no CloudTrail event, flow record, finding or alert of the lake names it");
      }
      if (common.json) {
        for (Row r : rows) {
          w.println(io.trailkeep.json.Json.write(TimelineFiles.map(timeline.schema(), r)));
        }
      } else {
        List<Row> grouped = TimelineFiles.grouped(rows);
        TablePrinter.table(w, TimelineFiles.GROUPED, grouped.subList(0, Math.min(limit, grouped.size())));
        w.printf("%d rows in %d groups%s%n", rows.size(), grouped.size(),
            grouped.size() > limit ? " (first " + limit + " groups shown; --limit N for more)" : "");
        if (out != null) {
          w.println("written: " + out.resolve("timeline.json") + ", timeline.csv and timeline.html");
        }
      }
      w.flush();
      return 0;
    }
  }

  private static void put(Map<Investigation.Kind, String> m, Investigation.Kind k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }
}
