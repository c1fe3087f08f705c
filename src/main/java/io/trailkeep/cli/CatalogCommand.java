package io.trailkeep.cli;

import io.trailkeep.catalog.CatalogJob;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.lake.Lake;
import io.trailkeep.spark.Sessions;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trailkeep catalog}: the lake's tables registered by name (Spark catalog or Glue). */
@Command(mixinStandardHelpOptions = true, name = "catalog",
    description = "Register every lake table under one database (Spark's catalog, or the Glue Data "
        + "Catalog with --glue) so that Spark SQL and Athena query them by name, and write the DDL "
        + "to <lake>/_catalog/spark.sql and athena.sql.")
final class CatalogCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--database", paramLabel = "NAME",
      description = "Database to register in (catalog.database; default ${bundle:default.catalog.database}).")
  String database;

  @Option(names = "--glue", description = "Register in the AWS Glue Data Catalog through its API "
      + "(catalog.target=glue); region from catalog.glue-region or the AWS SDK's chain.")
  boolean glue;

  @Override
  public Integer call() {
    Map<String, String> flags = new LinkedHashMap<>();
    if (database != null) {
      flags.put(ConfKey.CATALOG_DATABASE.name(), database);
    }
    if (glue) {
      flags.put(ConfKey.CATALOG_TARGET.name(), "glue");
    }
    TrailkeepConf conf = common.resolve(flags);
    PrintWriter out = spec.commandLine().getOut();
    try (Sessions.Handle session = CommonOptions.session(conf, "catalog")) {
      Lake lake = CommonOptions.lake(session.spark(), conf);
      CatalogJob.Result r = CatalogJob.on(lake).options(conf).progress(common.progress()).execute();
      StringBuilder human = new StringBuilder(String.format("catalog %s: %d tables in %s (%s)",
          r.runId(), r.tables().size(), r.database(), r.target().equals("glue")
              ? "Glue Data Catalog" : r.restoredBySql()
                  ? "Spark catalog; local, so 'trailkeep sql' registers them again at each start"
                  : "Spark catalog"));
      for (CatalogJob.Registered t : r.tables()) {
        human.append(String.format("%n  %-40s %-8s %s", t.name(), t.action(), t.location()));
      }
      human.append(String.format("%nDDL: %s", String.join(", ", r.ddlFiles())));
      return common.printSummary(out, r, human.toString());
    }
  }
}
