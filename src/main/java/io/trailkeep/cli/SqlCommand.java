package io.trailkeep.cli;

import io.trailkeep.schema.Source;
import io.trailkeep.catalog.SparkCatalogRegistration;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.ScanReport;
import io.trailkeep.spark.Sessions;
import io.trailkeep.spark.internal.SqlStatements;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trailkeep sql "<statement>"}: runs one statement over the lake's tables, each registered
 * as a view of its own name (cloudtrail, cloudtrail_quarantine, ingest_manifest, ...), and by the
 * catalog names {@code trailkeep catalog} gave them ({@code trailkeep.cloudtrail}). Read-only
 * unless {@code --allow-writes}: the statement is parsed first and refused if any part of it
 * writes, and the views themselves cannot be written through. Prints a table (terminal-safe), or
 * one JSON object per row with --json.
 */
@Command(mixinStandardHelpOptions = true, name = "sql",
    description = "Run a SQL statement over the lake's tables (views named after the tables); "
        + "read-only unless --allow-writes.")
final class SqlCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "STATEMENT", description = "The SQL statement.")
  String statement;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
      description = "Rows printed as a table (default 100; --json prints all).")
  int limit;

  @Option(names = "--explain", description = "Also report files read versus total files of the "
      + "scanned tables (data skipping at work).")
  boolean explain;

  @Option(names = "--allow-writes", description = "Allow statements that change the lake (DELETE, "
      + "UPDATE, MERGE, INSERT, DROP, ALTER, CREATE, OPTIMIZE, VACUUM, RESTORE, ...). The lake is "
      + "evidence: use with care.")
  boolean allowWrites;

  @Override
  public Integer call() {
    TrailkeepConf conf = common.resolve(Map.of());
    try (Sessions.Handle session = CommonOptions.session(conf, "sql")) {
      SparkSession spark = session.spark();
      Lake lake = CommonOptions.lake(spark, conf);
      List<String> any = new java.util.ArrayList<>(Source.dataTables());
      any.addAll(List.of(io.trailkeep.schema.ManifestTable.NAME, io.trailkeep.schema.IntegrityTable.NAME));
      lake.requireAny("sql", any, "run 'trailkeep ingest' first");
      SqlStatements.Statement parsed;
      try {
        parsed = SqlStatements.classify(spark, statement);
      } catch (SqlStatements.SyntaxError e) {
        throw new ConfException("invalid query: " + e.getMessage());
      }
      if (!parsed.readOnly() && !allowWrites) {
        throw new ConfException("sql is read-only and this statement writes ("
            + String.join(", ", parsed.writingNodes()) + "); the lake is evidence, so nothing ran. "
            + "Pass --allow-writes to run it anyway");
      }
      List<String> views = new java.util.ArrayList<>(lake.registerViews(allowWrites));
      // the names 'trailkeep catalog' registered, when this session's catalog is in memory
      views.addAll(SparkCatalogRegistration.restore(lake, List.copyOf(views)));
      Dataset<Row> result;
      try {
        result = spark.sql(statement);
      } catch (Exception e) {
        if (!(e instanceof AnalysisException)) {
          throw e;
        }
        throw new ConfException("invalid query: " + firstLine(e.getMessage()) + " (views: "
            + String.join(", ", views) + ")");
      }
      PrintWriter out = spec.commandLine().getOut();
      Map<String, Object> scan = explain ? ScanReport.of(lake, result) : null;
      TablePrinter.rows(out, result, common.json, limit);
      if (scan != null) {
        if (common.json) {
          out.println(Json.write(Map.of("explain", scan)));
        } else {
          out.printf("files read: %s of %s %s%n", scan.get("files_read"), scan.get("files_total"),
              scan.get("tables"));
        }
      }
      out.flush();
      return 0;
    }
  }

  private static String firstLine(String s) {
    for (String line : s.split("\n")) {
      if (!line.isBlank()) {
        return line.trim();
      }
    }
    return s;
  }
}
