package io.trailkeep.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.conf.ConfException;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Registers lake tables in the Spark session's own catalog as external Delta tables (the table
 * stays where it is; the catalog holds its name and location). On EMR and Glue with the Glue Data
 * Catalog (or a Hive metastore) as the session catalog, that registration is persistent. A local
 * session's catalog lives in memory and dies with the process, so the registration is also kept
 * in the lake ({@link #FILE}) and {@link #restore} repeats it when a later session (the
 * {@code sql} command) opens the lake.
 *
 * <p>Names go through bound parameters and the Catalog API, never through SQL text. Cost: a few
 * catalog calls per table; no data is read.
 */
public final class SparkCatalogRegistration {
  /** The lake-relative file that records a local registration. */
  public static final String FILE = "_catalog/spark-catalog.json";

  private SparkCatalogRegistration() {}

  /** Whether the session's catalog forgets its tables when the process ends. */
  public static boolean inMemory(SparkSession spark) {
    return "in-memory".equals(spark.conf().get("spark.sql.catalogImplementation", "in-memory"));
  }

  /**
   * Registers one table: {@code created}, or {@code exists} when the name is already registered
   * at this location. A name registered at another location is refused (ConfException), since
   * replacing it would silently point someone else's queries elsewhere.
   */
  public static String register(SparkSession spark, CatalogEntry e) {
    if (!spark.catalog().databaseExists(e.database())) {
      spark.sql("CREATE DATABASE IF NOT EXISTS IDENTIFIER(:db)", Map.of("db", e.database()));
    }
    if (spark.catalog().tableExists(e.database(), e.table())) {
      String registered = location(spark, e.qualifiedName());
      if (!qualified(spark, registered).equals(qualified(spark, e.location()))) {
        throw new ConfException(e.qualifiedName() + " is already registered at " + registered
            + ", not at " + e.location() + "; drop it there or pass another catalog.database");
      }
      return "exists";
    }
    spark.catalog().createTable(e.qualifiedName(), e.location(), "delta");
    return "created";
  }

  private static String location(SparkSession spark, String qualifiedName) {
    for (Row r : spark.sql("DESCRIBE TABLE EXTENDED IDENTIFIER(:t)", Map.of("t", qualifiedName))
        .collectAsList()) {
      if ("Location".equals(r.getString(0))) {
        return r.getString(1);
      }
    }
    return "";
  }

  private static String qualified(SparkSession spark, String location) {
    if (location.isEmpty()) {
      return location;
    }
    try {
      Path p = new Path(location);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Records the registration in the lake ({@link #FILE}) for {@link #restore}. */
  public static void remember(Lake lake, String database, List<String> tables) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("database", database);
    m.put("tables", tables);
    lake.writeText(FILE, Json.pretty(m));
  }

  /**
   * Repeats a remembered registration in a session whose catalog is in memory; a no-op when the
   * lake has none or the catalog is persistent. Tables not in {@code present} (the lake's
   * tables, as the caller listed them) are left out.
   * Returns the qualified names registered.
   */
  public static List<String> restore(Lake lake, List<String> present) {
    SparkSession spark = lake.spark();
    List<String> names = new ArrayList<>();
    String text = inMemory(spark) ? lake.readText(FILE) : null;
    if (text == null) {
      return names;
    }
    JsonNode m = Json.parse(text);
    String database = m.path("database").asText();
    for (JsonNode t : m.path("tables")) {
      if (present.contains(t.asText())) {
        CatalogEntry e = new CatalogEntry(database, t.asText(), lake.pathOf(t.asText()), null);
        register(spark, e);
        names.add(e.qualifiedName());
      }
    }
    return names;
  }
}
