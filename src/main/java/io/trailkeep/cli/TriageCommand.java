package io.trailkeep.cli;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.Severity;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.correlate.IncidentQueue;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.IncidentTables;
import io.trailkeep.spark.Sessions;
import java.io.PrintWriter;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trailkeep triage [--top N] [--min-severity S]}: the incident queue an analyst works, in
 * {@link IncidentQueue}'s order, the top N with their span, principals, addresses and summary.
 * Reads the incidents table only; writes nothing.
 */
@Command(mixinStandardHelpOptions = true, name = "triage",
    description = "The ranked incident queue: the top incidents with their span, principals, addresses "
        + "and summary (most severe first; see README, Triage).")
final class TriageCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--top", paramLabel = "N", defaultValue = "20",
      description = "Incidents shown (default ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--min-severity", paramLabel = "S", defaultValue = "info",
      description = "Leave out incidents below this severity: info, low, medium, high, critical "
          + "(default ${DEFAULT-VALUE}: every incident).")
  String minSeverity;

  private static final StructType SHOWN = new StructType().add("rank", DataTypes.IntegerType)
      .add("incident_id", DataTypes.StringType).add("severity", DataTypes.StringType)
      .add("span", DataTypes.StringType).add("principals", DataTypes.StringType)
      .add("addresses", DataTypes.StringType).add("summary", DataTypes.StringType);

  @Override
  public Integer call() {
    TrailkeepConf conf = common.resolve(Map.of());
    if (top < 1) {
      throw new ConfException("--top must be 1 or more, got " + top);
    }
    if (Severity.rank(minSeverity) < 0 || !minSeverity.equals(minSeverity.toLowerCase(java.util.Locale.ROOT))) {
      throw new ConfException("--min-severity must be one of " + String.join(", ", Severity.labels())
          + ", got '" + minSeverity + "'");
    }
    PrintWriter w = spec.commandLine().getOut();
    try (Sessions.Handle session = CommonOptions.session(conf, "triage")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      lake.requireAny("triage", List.of(IncidentTables.INCIDENTS), "run 'trailkeep correlate' first");
      Queue q = queue(lake, minSeverity, top);
      if (common.json) {
        List<Map<String, Object>> shown = new ArrayList<>();
        for (Row r : q.rows()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("rank", r.getInt(0));
          m.put("incident_id", r.getString(1));
          m.put("severity", r.getString(2));
          m.put("first_time", r.getTimestamp(3).toInstant().toString());
          m.put("last_time", r.getTimestamp(4).toInstant().toString());
          m.put("principals", r.getList(5));
          m.put("source_ips", r.getList(6));
          m.put("accounts", r.getList(7));
          m.put("alert_count", r.getLong(8));
          m.put("finding_count", r.getLong(9));
          m.put("event_count", r.getLong(10));
          m.put("summary", r.getString(11));
          shown.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("job", "triage");
        out.put("lake", lake.root());
        out.put("min_severity", minSeverity);
        out.put("incidents_total", q.total());
        out.put("incidents_matching", q.matching());
        out.put("shown", q.rows().size());
        out.put("incidents", shown);
        w.println(Json.write(out));
      } else {
        print(w, lake, q, minSeverity);
      }
      w.flush();
      return 0;
    }
  }

  /**
   * The top of the queue: {@code rows} hold rank, incident_id, severity, first_time, last_time,
   * principals, source_ips, accounts, alert_count, finding_count, event_count, summary.
   */
  record Queue(long total, long matching, List<Row> rows) {}

  /** The incidents at or above {@code minSeverity}, the first {@code top} of them in queue order. */
  static Queue queue(Lake lake, String minSeverity, int top) {
    Dataset<Row> all = lake.read(IncidentTables.INCIDENTS);
    Dataset<Row> matching = IncidentQueue.atLeast(all, minSeverity);
    List<Row> rows = new ArrayList<>();
    int rank = 0;
    for (Row r : IncidentQueue.sorted(matching).limit(top).select("incident_id", "severity", "first_time",
        "last_time", "principals", "source_ips", "accounts", "alert_count", "finding_count", "event_count",
        "summary").collectAsList()) {
      Object[] values = new Object[r.size() + 1];
      values[0] = ++rank;
      for (int i = 0; i < r.size(); i++) {
        values[i + 1] = r.get(i);
      }
      rows.add(RowFactory.create(values));
    }
    return new Queue(all.count(), matching.count(), rows);
  }

  /** The queue as a table (cells escaped for the terminal) and where to read one incident's story. */
  static void print(PrintWriter w, Lake lake, Queue q, String minSeverity) {
    List<Row> cells = new ArrayList<>();
    for (Row r : q.rows()) {
      cells.add(RowFactory.create(r.getInt(0), r.getString(1), r.getString(2),
          span(r.getTimestamp(3), r.getTimestamp(4)), few(r.getList(5)), few(r.getList(6)), r.getString(11)));
    }
    w.printf("incident queue of %s: %d incidents, %d at or above %s; the top %d%n",
        io.trailkeep.job.TerminalText.safe(lake.root()), q.total(), q.matching(), minSeverity, q.rows().size());
    TablePrinter.table(w, SHOWN, cells);
    if (!q.rows().isEmpty()) {
      w.println("the story of one: trailkeep report --incident " + q.rows().get(0).getString(1));
    }
  }

  /** "2026-09-08 03:15Z, 35 min" (start, UTC, and length). */
  static String span(Timestamp first, Timestamp last) {
    Duration d = Duration.between(first.toInstant(), last.toInstant());
    String start = first.toInstant().toString().substring(0, 16).replace('T', ' ') + "Z";
    long minutes = d.toMinutes();
    return start + ", " + (minutes < 120 ? minutes + " min" : minutes < 48 * 60 ? (minutes / 60) + " h"
        : (minutes / (24 * 60)) + " days");
  }

  /** The first two values and how many more. */
  static String few(List<String> values) {
    if (values == null || values.isEmpty()) {
      return "-";
    }
    String head = String.join(", ", values.subList(0, Math.min(2, values.size())));
    return values.size() > 2 ? head + " +" + (values.size() - 2) : head;
  }
}
