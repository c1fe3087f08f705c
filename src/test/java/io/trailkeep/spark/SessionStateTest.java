package io.trailkeep.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.conf.ConfException;
import io.trailkeep.conf.TrailkeepConf;
import io.trailkeep.generate.Generator;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.ScanReport;
import io.trailkeep.maintain.MaintainJob;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * TrailKeep inside someone else's Spark application (a notebook, spark-submit, these tests)
 * leaves the session as it found it: runtime settings, Hadoop settings, JVM properties, log level.
 */
class SessionStateTest {

  private record State(Map<String, String> runtime, Map<String, String> hadoop,
      Map<String, String> system, Level logLevel) {}

  private static State state(SparkSession spark) {
    Map<String, String> runtime = new TreeMap<>();
    scala.collection.Iterator<Tuple2<String, String>> it = spark.conf().getAll().iterator();
    while (it.hasNext()) {
      Tuple2<String, String> kv = it.next();
      runtime.put(kv._1(), kv._2());
    }
    Map<String, String> hadoop = new TreeMap<>();
    for (Map.Entry<String, String> e : spark.sparkContext().hadoopConfiguration()) {
      hadoop.put(e.getKey(), e.getValue());
    }
    Map<String, String> system = new TreeMap<>();
    Properties p = System.getProperties();
    for (String k : p.stringPropertyNames()) {
      system.put(k, p.getProperty(k));
    }
    return new State(runtime, hadoop, system, LogManager.getRootLogger().getLevel());
  }

  @Test
  void twoJobsInAJoinedSessionLeaveItAsTheyFoundIt() {
    SparkSession spark = TestSpark.get();
    Path raw = TestSpark.tempDir("raw-state");
    Generator.with(new Configuration()).raw(raw.toString()).events(300).days(1).accounts(1)
        .flowRatio(0).findingsPerDay(0).start(LocalDate.of(2026, 7, 1)).execute();
    State before = state(spark);
    Map<String, String> flags = new HashMap<>();
    flags.put("shuffle-partitions", "3");
    flags.put("s3.endpoint", "http://127.0.0.1:9");
    flags.put("s3.path-style", "true");
    flags.put("spark.sql.autoBroadcastJoinThreshold", "1234");
    TrailkeepConf conf = TrailkeepConf.resolve(null, flags);
    try (Sessions.Handle h = Sessions.open(conf, "state-test")) {
      assertTrue(h.spark() == spark, "joins the running session");
      assertEquals("3", spark.conf().get("spark.sql.shuffle.partitions"), "settings apply while open");
      Lake lake = new Lake(h.spark(), TestSpark.tempDir("lake-state").toString());
      IngestJob.into(lake).raw(raw.toString()).execute();
      MaintainJob.on(lake).vacuumHours(0, true).targetFileBytes(4096).execute();
      ScanReport.of(lake, lake.read(CloudTrailTable.NAME).filter("eventName = 'ListUsers'"));
    }
    State after = state(spark);
    assertEquals(before.runtime(), after.runtime());
    assertEquals(before.hadoop(), after.hadoop());
    assertEquals(before.system(), after.system());
    assertEquals(before.logLevel(), after.logLevel());
  }

  @Test
  void aProfileIsNotForcedOnAJvmTrailKeepDidNotStart() {
    TestSpark.get();
    String before = System.getProperty("aws.profile");
    ConfException e = assertThrows(ConfException.class, () -> Sessions.open(
        TrailkeepConf.resolve(null, Map.of("aws.profile", "audit")), "profile-test"));
    assertTrue(e.getMessage().contains("AWS_PROFILE"), e.getMessage());
    assertEquals(before, System.getProperty("aws.profile"));
  }
}
