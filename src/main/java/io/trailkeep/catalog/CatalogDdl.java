package io.trailkeep.catalog;

import java.util.List;

/**
 * The registration as DDL text, for users who run it themselves: Spark SQL (spark-sql, EMR
 * Studio, Glue interactive sessions with the Delta extensions) and Athena (engine 3, which reads
 * the Delta log itself and needs only the location). Names are checked before they get here
 * ({@link CatalogJob}); locations are quoted as SQL string literals.
 */
public final class CatalogDdl {
  private CatalogDdl() {}

  /** CREATE DATABASE and one CREATE TABLE ... USING delta LOCATION per table. */
  public static String spark(String database, List<CatalogEntry> entries) {
    StringBuilder b = new StringBuilder(header("Spark SQL (Delta extensions on)"));
    b.append("CREATE DATABASE IF NOT EXISTS `").append(database).append("`;\n");
    for (CatalogEntry e : entries) {
      b.append("CREATE TABLE IF NOT EXISTS `").append(database).append("`.`").append(e.table())
          .append("` USING delta LOCATION ").append(literal(e.location())).append(";\n");
    }
    return b.toString();
  }

  /** CREATE DATABASE and one CREATE EXTERNAL TABLE ... TBLPROPERTIES table_type DELTA per table. */
  public static String athena(String database, List<CatalogEntry> entries) {
    StringBuilder b = new StringBuilder(header("Amazon Athena (engine version 3)"));
    b.append("CREATE DATABASE IF NOT EXISTS `").append(database).append("`;\n");
    for (CatalogEntry e : entries) {
      b.append("CREATE EXTERNAL TABLE IF NOT EXISTS `").append(database).append("`.`")
          .append(e.table()).append("` LOCATION ").append(literal(e.awsLocation()))
          .append(" TBLPROPERTIES ('table_type' = 'DELTA');\n");
    }
    return b.toString();
  }

  private static String header(String dialect) {
    return "-- TrailKeep lake tables for " + dialect + "; written by 'trailkeep catalog'.\n"
        + "-- Run it as it is; rerunning it is harmless (IF NOT EXISTS).\n";
  }

  /** A single-quoted SQL string literal: backslash and quote escaped. */
  static String literal(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
