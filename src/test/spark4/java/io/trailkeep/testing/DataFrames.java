package io.trailkeep.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Whole-DataFrame assertions on the Spark 4 build, where spark-testing-base is not available:
 * same schema, and the same multiset of rows (compared through their JSON form, sorted).
 */
public final class DataFrames {
  private DataFrames() {}

  static void bind(SparkSession spark) {
    // nothing to bind: no external assertion library on this generation
  }

  /** Same schema and the same rows, in any order. */
  public static void assertEqualIgnoringOrder(Dataset<Row> expected, Dataset<Row> actual) {
    assertEquals(expected.schema(), actual.schema(), "schemas differ");
    assertEquals(sortedJson(expected), sortedJson(actual), "rows differ");
  }

  private static List<String> sortedJson(Dataset<Row> df) {
    List<String> rows = new ArrayList<>(df.toJSON().collectAsList());
    Collections.sort(rows);
    return rows;
  }
}
