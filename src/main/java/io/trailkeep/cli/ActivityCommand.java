package io.trailkeep.cli;

import io.trailkeep.conf.PrincipalRef;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.Arguments;
import io.trailkeep.schema.CloudTrailTable;
import static org.apache.spark.sql.functions.col;

import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.correlate.ActivityQuery;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.ScanReport;
import io.trailkeep.spark.Sessions;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trailkeep activity --access-key ID | --principal ARN}: every CloudTrail event of one
 * actor in time order, read through {@link ActivityQuery} so that only the actor's files are read.
 */
@Command(mixinStandardHelpOptions = true, name = "activity",
    description = "Every CloudTrail event of one access key or principal, in time order.")
final class ActivityCommand implements Callable<Integer> {
  static final String[] COLUMNS = {"eventTime", "account_id", "awsRegion", "eventSource", "eventName",
      "actor_principal", "access_key_id", "source_ip", "errorCode", "eventID"};

  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--access-key", paramLabel = "ID", description = "Access key id (AKIA... or ASIA...).")
  String accessKey;

  @Option(names = "--principal", paramLabel = "ARN",
      description = "A principal as a log shows it: an IAM user or role ARN, an assumed-role session ARN "
          + "(that session only), a federated user ARN, a principal id (AIDA..., AROA...:SESSION).")
  String principal;

  @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day, UTC (default: no bound).")
  String from;

  @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last day, UTC (default: no bound).")
  String to;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
      description = "Rows printed as a table (default 100; --json prints all).")
  int limit;

  @Option(names = "--explain", description = "Also report files read versus total files.")
  boolean explain;

  @Override
  public Integer call() {
    TrailkeepConf conf = common.resolve(Map.of());
    LocalDate first = Arguments.day("--from", from);
    LocalDate last = Arguments.day("--to", to);
    Arguments.dayRange("--from", first, "--to", last);
    if ((accessKey == null) == (principal == null)) {
      throw new ConfException("give exactly one of --access-key or --principal");
    }
    PrincipalRef ref = principal == null ? null : PrincipalRef.parse("--principal", principal);
    String key = accessKey == null ? null : Arguments.accessKey("--access-key", accessKey);
    if (limit < 0) {
      throw new ConfException("--limit must be 0 or more, got " + limit);
    }
    try (Sessions.Handle session = CommonOptions.session(conf, "activity")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      lake.requireAny("activity", List.of(CloudTrailTable.NAME), "run 'trailkeep ingest' first");
      ActivityQuery.Plan plan = ActivityQuery.on(lake).accessKey(key).principal(principal)
          .from(first).to(last).plan();
      Dataset<Row> events = plan.events().select(Arrays.stream(COLUMNS).map(c -> col(c))
          .toArray(Column[]::new)).orderBy(col("eventTime"), col("eventID"));
      PrintWriter out = spec.commandLine().getOut();
      Map<String, Object> scan = explain ? ScanReport.of(lake, plan.events()) : null;
      long shown = TablePrinter.rows(out, events, common.json, limit);
      if (shown == 0 && (limit > 0 || common.json)) {
        TablePrinter.nothingFound(out, spec.commandLine().getErr(), common.json, (ref == null ? "--access-key " + key
            : "--principal " + ref.value() + " (" + ref.kind().description() + ")") + days(first, last),
            ref == null ? "a key is matched in access_key_id; try --principal with its owner's ARN"
                : ref.widerForms());
      }
      if (scan != null) {
        Map<String, Object> m = new LinkedHashMap<>(scan);
        m.put("index_used", plan.indexUsed());
        m.put("principals", plan.principals());
        m.put("indexed_days", plan.indexedDays());
        m.put("unindexed_days", plan.unindexedDays());
        if (common.json) {
          out.println(Json.write(Map.of("explain", m)));
        } else {
          out.printf("files read: %s of %s %s; access-key index used: %s%n", scan.get("files_read"),
              scan.get("files_total"), scan.get("tables"), plan.indexUsed());
        }
      }
      out.flush();
      return 0;
    }
  }

  static String days(LocalDate first, LocalDate last) {
    return first == null && last == null ? "" : " from " + (first == null ? "the start" : first) + " to "
        + (last == null ? "the end" : last);
  }
}
