package io.trailkeep.schema;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code <source>_quarantine} tables: what could not be turned into a row, with enough to find
 * and re-process it. {@code source_position} is the record's index in the file (a line number for
 * line-oriented sources, a row number for Parquet), or -1 when the whole file is affected;
 * {@code byte_offset} and {@code byte_length} locate the item in the decompressed object (null
 * when unknown, as for Parquet pages). {@code raw_text} is truncated to
 * {@code ingest.quarantine-raw-chars}; {@code raw_length} is the untruncated length in characters.
 * {@code run_id} is the ingest run that quarantined it. {@code ingest --retry-quarantined} removes
 * the rows whose items land after a retry.
 */
public final class QuarantineTable {

  private QuarantineTable() {}

  public static String nameFor(String source) {
    return source + "_quarantine";
  }

  public static final StructType SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("source", DataTypes.StringType, false),
      DataTypes.createStructField("source_file", DataTypes.StringType, false),
      DataTypes.createStructField("source_position", DataTypes.IntegerType, false),
      DataTypes.createStructField("reason", DataTypes.StringType, false),
      DataTypes.createStructField("raw_text", DataTypes.StringType, true),
      DataTypes.createStructField("raw_length", DataTypes.LongType, true),
      DataTypes.createStructField("byte_offset", DataTypes.LongType, true),
      DataTypes.createStructField("byte_length", DataTypes.LongType, true),
      DataTypes.createStructField("run_id", DataTypes.StringType, true)
  });
}
