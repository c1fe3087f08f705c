package io.trailkeep.catalog;

import org.apache.spark.sql.types.StructType;

/**
 * One lake table as a catalog sees it: database, table name, the location TrailKeep reads it at
 * and its current Delta schema.
 *
 * @param location the table's folder as the lake names it ({@code s3a://}, {@code file:} or a path)
 */
public record CatalogEntry(String database, String table, String location, StructType schema) {

  /** {@code database.table}. */
  public String qualifiedName() {
    return database + "." + table;
  }

  /**
   * The location as Athena, Glue and EMR's own S3 client name it: {@code s3://} for the
   * {@code s3a://} and {@code s3n://} schemes of Hadoop, anything else unchanged.
   */
  public String awsLocation() {
    return location.replaceFirst("^s3[an]://", "s3://");
  }
}
