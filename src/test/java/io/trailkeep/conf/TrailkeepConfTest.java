package io.trailkeep.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrailkeepConfTest {

  private static Path file(String text) throws IOException {
    Path p = Files.createTempFile("trailkeep", ".conf");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void flagBeatsFileBeatsDefault() throws IOException {
    Path f = file("raw = /from/file\nlake = /lake/from/file\n");
    Map<String, String> flags = new HashMap<>();
    flags.put("raw", "/from/flag");
    flags.put("lake", null);
    TrailkeepConf c = TrailkeepConf.resolve(f, flags);
    assertEquals("/from/flag", c.get(ConfKey.RAW));
    assertEquals("/lake/from/file", c.get(ConfKey.LAKE));
    assertEquals(ConfKey.SHUFFLE_PARTITIONS.defaultValue(), c.get(ConfKey.SHUFFLE_PARTITIONS));
  }

  @Test
  void unknownKeysAreRejectedWithTheFix() throws IOException {
    ConfException e = assertThrows(ConfException.class,
        () -> TrailkeepConf.resolve(file("raww = /x\n"), Map.of()));
    assertTrue(e.getMessage().contains("unknown configuration key 'raww'"), e.getMessage());
    assertThrows(ConfException.class, () -> TrailkeepConf.resolve(null, Map.of("nope", "1")));
  }

  @Test
  void sparkKeysPassThrough() throws IOException {
    TrailkeepConf c = TrailkeepConf.resolve(file("spark.executor.memory = 4g\n"), Map.of());
    assertEquals("4g", c.sparkConf().get("spark.executor.memory"));
  }

  @Test
  void missingFileAndBadValuesAreUserErrors() {
    ConfException missing = assertThrows(ConfException.class,
        () -> TrailkeepConf.resolve(Path.of("/no/such/file.conf"), Map.of()));
    assertTrue(missing.getMessage().contains("does not exist"));
    ConfException bad = assertThrows(ConfException.class,
        () -> TrailkeepConf.resolve(null, Map.of("shuffle-partitions", "many")));
    assertTrue(bad.getMessage().startsWith("shuffle-partitions must be an integer"), bad.getMessage());
  }

  @Test
  void shippedConfFilesOnlyUseKnownKeys() {
    for (String name : new String[] {"local.conf", "s3.conf.example", "production.conf.example"}) {
      TrailkeepConf.resolve(Path.of("conf", name), Map.of());
    }
  }
}
