package io.trailkeep.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Lake roots and table creation. */
class LakeTest {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.StringType);

  @Test
  void aRelativeLocalRootIsResolvedAndTablesAreCreatedOnceUnderIt() {
    Path dir = TestSpark.tempDir("lake-relative");
    String relative = Paths.get("").toAbsolutePath().relativize(dir).toString();
    Lake lake = new Lake(TestSpark.get(), relative + "/");
    assertEquals(dir.toAbsolutePath().normalize().toString(), lake.root());
    assertTrue(lake.ensure("t", SCHEMA, null, Map.of()), "the first call creates the table");
    assertFalse(lake.ensure("t", SCHEMA, null, Map.of()), "the second finds it");
    assertTrue(lake.exists("t"));
    assertEquals(0, lake.read("t").count());
  }

  @Test
  void theCurrentVersionIsTheLatestCommitDeltaReports() {
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-version").toString());
    lake.ensure("t", SCHEMA, null, Map.of());
    for (int i = 0; i < 12; i++) {
      lake.spark().createDataFrame(List.of(RowFactory.create("r" + i)), SCHEMA).write().format("delta")
          .mode("append").save(lake.pathOf("t"));
    }
    long reported = DeltaTable.forPath(lake.spark(), lake.pathOf("t")).history(1).select("version")
        .first().getLong(0);
    assertEquals(12, reported, "creation and twelve appends");
    assertEquals(reported, MaintenanceState.currentVersion(lake, "t"));
    assertThrows(RuntimeException.class, () -> MaintenanceState.currentVersion(lake, "missing"));
  }

  @Test
  void changedDaysAreThoseWithAddedRowsAndOnRequestRemovedOnesAndAllOfARecreatedTable() {
    Lake lake = new Lake(TestSpark.get(), TestSpark.tempDir("lake-changed").toString());
    StructType schema = new StructType().add("id", DataTypes.StringType).add("event_date", DataTypes.DateType);
    java.util.function.BiConsumer<String, String> append = (id, day) -> lake.spark()
        .createDataFrame(List.of(RowFactory.create(id, java.sql.Date.valueOf(day))), schema).write().format("delta")
        .mode("append").partitionBy("event_date").save(lake.pathOf("t"));
    append.accept("a", "2026-03-01");
    append.accept("b", "2026-03-02");
    long v = MaintenanceState.currentVersion(lake, "t");
    append.accept("c", "2026-03-03");
    assertEquals(java.util.Set.of("2026-03-03"), MaintenanceState.dataChangedPartitions(lake, "t",
        java.util.Optional.of(v), false));
    // retention deletes a day's rows: a removal, reported only when asked for
    long before = MaintenanceState.currentVersion(lake, "t");
    DeltaTable.forPath(lake.spark(), lake.pathOf("t")).delete("event_date = '2026-03-01'");
    assertEquals(java.util.Set.of(), MaintenanceState.dataChangedPartitions(lake, "t",
        java.util.Optional.of(before), false));
    assertEquals(java.util.Set.of("2026-03-01"), MaintenanceState.dataChangedPartitions(lake, "t",
        java.util.Optional.of(before), true));
    // a recorded version above the table's (it was dropped and written again since): every day
    // it holds is new
    long later = MaintenanceState.currentVersion(lake, "t") + 5;
    assertEquals(java.util.Set.of("2026-03-02", "2026-03-03"), MaintenanceState.dataChangedPartitions(lake, "t",
        java.util.Optional.of(later), true));
  }

  @Test
  void uriRootsPassUnchanged() {
    assertEquals("s3a://bucket/lake", Lake.absolute("s3a://bucket/lake"));
    assertEquals("file:/tmp/lake", Lake.absolute("file:/tmp/lake"));
  }
}
