package io.trailkeep.catalog;

import io.trailkeep.schema.Source;
import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.ConfKey;
import io.trailkeep.job.JobAction;
import io.trailkeep.job.JobResult;
import io.trailkeep.lake.Lake;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * The {@code catalog} action: registers every table of the lake under one database so that Spark
 * SQL (EMR, Glue, EMR Studio) and Athena can query it by name ({@code trailkeep.cloudtrail}), and
 * writes the same registration as DDL for users who run it themselves
 * ({@code <lake>/_catalog/spark.sql} and {@code athena.sql}).
 *
 * <p>Targets ({@code catalog.target}): {@code spark}, the session's own catalog
 * ({@link SparkCatalogRegistration}; locally an in-memory catalog, so the registration is also
 * recorded in the lake and restored by {@code sql}), or {@code glue}, the Glue Data Catalog through
 * its API ({@link GlueCatalogRegistration}). Rerunning is safe: existing names are kept (spark)
 * or updated to the table's current schema (glue).
 *
 * <p>Cost: one schema read per table (the Delta log), a few catalog calls per table; no data.
 */
public final class CatalogJob extends JobAction<CatalogJob, CatalogJob.Result> {
  /** The lake-relative folder of the DDL files. */
  public static final String DDL_DIR = "_catalog";

  private CatalogJob(Lake lake) {
    super("catalog", lake);
  }

  public static CatalogJob on(Lake lake) {
    return new CatalogJob(lake);
  }

  @Override
  protected List<ConfKey<?>> keys() {
    return List.of(ConfKey.CATALOG_DATABASE, ConfKey.CATALOG_TARGET, ConfKey.CATALOG_GLUE_REGION,
        ConfKey.CATALOG_GLUE_CATALOG_ID);
  }

  public CatalogJob database(String name) {
    return option(ConfKey.CATALOG_DATABASE.name(), name);
  }

  public CatalogJob target(String target) {
    return option(ConfKey.CATALOG_TARGET.name(), target);
  }

  /** One table's registration: {@code created}, {@code exists} (spark) or {@code updated} (glue). */
  public record Registered(String name, String location, String action) {}

  /**
   * @param tables every table of the lake, in name order
   * @param ddlFiles the DDL files written
   * @param restoredBySql whether the registration lives in memory and {@code sql} repeats it
   */
  public record Result(String runId, String target, String database, List<Registered> tables,
      List<String> ddlFiles, boolean restoredBySql, double seconds) implements JobResult {
    @Override
    public String job() {
      return "catalog";
    }
  }

  @Override
  protected List<String> requiredTables() {
    List<String> any = new ArrayList<>(Source.dataTables());
    any.addAll(List.of(io.trailkeep.schema.ManifestTable.NAME, io.trailkeep.schema.IntegrityTable.NAME));
    return any;
  }

  @Override
  protected Result run(Run run) {
    Lake lake = lake();
    String database = get(ConfKey.CATALOG_DATABASE);
    String target = get(ConfKey.CATALOG_TARGET);
    List<CatalogEntry> entries = new ArrayList<>();
    for (String table : lake.tables()) {
      if (!table.matches("[a-z][a-z0-9_]*")) {
        run.progress().info("catalog: skipped the folder %s (not a table name a catalog accepts)", table);
        continue;
      }
      entries.add(new CatalogEntry(database, table, lake.pathOf(table), lake.read(table).schema()));
    }
    if (entries.isEmpty()) {
      throw new ConfException("no tables under " + lake.root() + "; run 'trailkeep ingest' first or "
          + "pass --lake");
    }
    List<String> ddl = List.of(DDL_DIR + "/spark.sql", DDL_DIR + "/athena.sql");
    lake.writeText(ddl.get(0), CatalogDdl.spark(database, entries));
    lake.writeText(ddl.get(1), CatalogDdl.athena(database, entries));
    List<Registered> done = new ArrayList<>();
    boolean restored = false;
    if (target.equals("glue")) {
      String catalogId = get(ConfKey.CATALOG_GLUE_CATALOG_ID);
      try (GlueClient glue = GlueCatalogRegistration.client(get(ConfKey.CATALOG_GLUE_REGION))) {
        GlueCatalogRegistration.ensureDatabase(glue, catalogId, database);
        for (CatalogEntry e : entries) {
          done.add(new Registered(e.qualifiedName(), e.awsLocation(),
              GlueCatalogRegistration.register(glue, catalogId, e)));
          run.progress().info("catalog: %s %s", e.qualifiedName(), done.get(done.size() - 1).action());
        }
      }
    } else {
      for (CatalogEntry e : entries) {
        done.add(new Registered(e.qualifiedName(), e.location(),
            SparkCatalogRegistration.register(lake.spark(), e)));
      }
      restored = SparkCatalogRegistration.inMemory(lake.spark());
      if (restored) {
        SparkCatalogRegistration.remember(lake, database,
            entries.stream().map(CatalogEntry::table).toList());
      }
    }
    List<String> ddlFiles = ddl.stream().map(f -> lake.root() + "/" + f).toList();
    return new Result(run.runId(), target, database, List.copyOf(done), ddlFiles, restored,
        run.seconds());
  }
}
