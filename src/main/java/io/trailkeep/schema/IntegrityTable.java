package io.trailkeep.schema;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code integrity} table: the verdicts of CloudTrail digest validation, one row per log file
 * and per digest of each validation run (append-only, so the history of verdicts stays). An
 * inferred missing digest has no key, only the time range it would have covered.
 */
public final class IntegrityTable {
  private IntegrityTable() {}

  public static final String NAME = "integrity";

  /** Verdicts, in summary order; the first two are not problems. */
  public static final List<String> VERDICTS = List.of("valid", "pending", "missing_log",
      "modified_log", "unlisted_log", "missing_digest", "broken_chain", "bad_signature",
      "unknown_key");

  public static final StructType SCHEMA = DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("run_id", DataTypes.StringType, false),
      DataTypes.createStructField("checked_at", DataTypes.TimestampType, false),
      DataTypes.createStructField("item", DataTypes.StringType, false),
      DataTypes.createStructField("verdict", DataTypes.StringType, false),
      DataTypes.createStructField("object_key", DataTypes.StringType, true),
      DataTypes.createStructField("path", DataTypes.StringType, true),
      DataTypes.createStructField("account_id", DataTypes.StringType, true),
      DataTypes.createStructField("region", DataTypes.StringType, true),
      DataTypes.createStructField("trail", DataTypes.StringType, true),
      DataTypes.createStructField("digest_key", DataTypes.StringType, true),
      DataTypes.createStructField("range_start", DataTypes.TimestampType, true),
      DataTypes.createStructField("range_end", DataTypes.TimestampType, true),
      DataTypes.createStructField("expected_sha256", DataTypes.StringType, true),
      DataTypes.createStructField("actual_sha256", DataTypes.StringType, true),
      DataTypes.createStructField("fingerprint", DataTypes.StringType, true),
      DataTypes.createStructField("detail", DataTypes.StringType, true)
  });
}
