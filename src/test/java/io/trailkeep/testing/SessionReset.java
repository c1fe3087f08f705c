package io.trailkeep.testing;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalog.Table;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts the shared test session ({@link TestSpark}) back as it was created after each test class,
 * so that no class sees what another left behind: temporary views dropped, the current database
 * back to {@code default}, databases created since dropped, and runtime settings back to their
 * first values (added ones unset). Registered for every class through JUnit's extension
 * autodetection ({@code junit-platform.properties}). Does nothing when no class started the
 * session.
 */
public final class SessionReset implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) {
    SparkSession spark = TestSpark.ifStarted();
    if (spark == null) {
      return;
    }
    reset(spark, TestSpark.initialConf());
  }

  /** Resets {@code spark} to {@code initialConf} and the catalog state of a new session. */
  static void reset(SparkSession spark, Map<String, String> initialConf) {
    for (Table t : spark.catalog().listTables().collectAsList()) {
      if (t.isTemporary()) {
        spark.catalog().dropTempView(t.name());
      }
    }
    spark.catalog().setCurrentDatabase("default");
    for (String db : databases(spark)) {
      if (!db.equals("default")) {
        spark.sql("DROP DATABASE IF EXISTS `" + db.replace("`", "``") + "` CASCADE");
      }
    }
    Map<String, String> now = io.trailkeep.spark.Sessions.runtimeConf(spark);
    Set<String> keys = new HashSet<>(now.keySet());
    keys.addAll(initialConf.keySet());
    for (String k : keys) {
      String was = initialConf.get(k);
      String is = now.get(k);
      if (was == null ? is == null : was.equals(is)) {
        continue;
      }
      if (!spark.conf().isModifiable(k)) {
        continue;
      }
      if (was == null) {
        spark.conf().unset(k);
      } else {
        spark.conf().set(k, was);
      }
    }
  }

  static List<String> databases(SparkSession spark) {
    return spark.catalog().listDatabases().collectAsList().stream()
        .map(org.apache.spark.sql.catalog.Database::name).toList();
  }
}
