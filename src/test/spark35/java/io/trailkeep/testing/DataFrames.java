package io.trailkeep.testing;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import com.holdenkarau.spark.testing.SparkSessionProvider$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Whole-DataFrame assertions, backed by spark-testing-base on the Spark 3.5 build. */
public final class DataFrames {
  private static final JavaDataFrameSuiteBase BASE = new JavaDataFrameSuiteBase();

  private DataFrames() {}

  static void bind(SparkSession spark) {
    SparkSessionProvider$.MODULE$._sparkSession_$eq(spark);
  }

  /** Same schema and the same rows, in any order. */
  public static void assertEqualIgnoringOrder(Dataset<Row> expected, Dataset<Row> actual) {
    BASE.assertDataFrameNoOrderEquals(expected, actual);
  }
}
