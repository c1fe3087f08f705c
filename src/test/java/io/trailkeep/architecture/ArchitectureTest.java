package io.trailkeep.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering, as the README states it: conf, json, then schema, spark, storage, lake,
 * job; the capabilities ingest, maintain, integrity and detect side by side; then correlate,
 * report, pipeline and cli. A package may use only packages of a lower layer (never a sibling);
 * generate and bench use what they need below them. No package cycles, and only
 * {@code spark.internal} touches Spark's non-public API. The command line, on top, may use
 * everything.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  /** Layer of each top-level package; a package may depend on lower layers only. */
  private static final Map<String, Integer> LAYER = new LinkedHashMap<>();

  static {
    LAYER.put("conf", 0);
    LAYER.put("json", 0);
    LAYER.put("schema", 1);
    LAYER.put("spark", 2);
    LAYER.put("storage", 3);
    LAYER.put("lake", 4);
    LAYER.put("job", 5);
    LAYER.put("ingest", 6);
    LAYER.put("maintain", 6);
    LAYER.put("integrity", 6);
    LAYER.put("detect", 6);
    LAYER.put("catalog", 6);
    LAYER.put("correlate", 7);
    LAYER.put("report", 8);
    LAYER.put("pipeline", 9);
    LAYER.put("cli", 10);
  }

  /** What generate, bench and evaluate may use. */
  private static final Map<String, List<String>> SIDE = Map.of(
      "generate", List.of("conf", "json", "schema", "spark", "storage", "lake", "job", "integrity"),
      "bench", List.of("conf", "json", "schema", "spark", "storage", "lake", "job", "ingest",
          "maintain", "integrity", "detect", "correlate", "generate"),
      "evaluate", List.of("conf", "json", "schema", "spark", "storage", "lake", "job", "ingest", "detect",
          "correlate", "pipeline", "generate"));

  @BeforeAll
  static void load() {
    // main classes only; the Spark 4 build's test classes live in target-spark4/test-classes
    ImportOption mainOnly = location -> !location.contains("/test-classes/");
    classes = new ClassFileImporter().withImportOption(mainOnly).importPackages("io.trailkeep");
  }

  private static String[] packages(List<String> names) {
    return names.stream().map(n -> "io.trailkeep." + n + "..").toArray(String[]::new);
  }

  @Test
  void eachLayerUsesOnlyLayersBelowIt() {
    for (Map.Entry<String, Integer> p : LAYER.entrySet()) {
      List<String> forbidden = new ArrayList<>();
      for (Map.Entry<String, Integer> q : LAYER.entrySet()) {
        if (!q.getKey().equals(p.getKey()) && q.getValue() >= p.getValue()) {
          forbidden.add(q.getKey());
        }
      }
      if (!p.getKey().equals("cli")) {
        forbidden.addAll(SIDE.keySet());
      }
      noClasses().that().resideInAPackage("io.trailkeep." + p.getKey() + "..")
          .should().dependOnClassesThat().resideInAnyPackage(packages(forbidden))
          .because(p.getKey() + " sits in layer " + p.getValue())
          .allowEmptyShould(true)
          .check(classes);
    }
  }

  @Test
  void generateAndBenchUseOnlyWhatTheyNeedBelowThem() {
    for (Map.Entry<String, List<String>> s : SIDE.entrySet()) {
      List<String> forbidden = new ArrayList<>();
      for (String p : LAYER.keySet()) {
        if (!s.getValue().contains(p)) {
          forbidden.add(p);
        }
      }
      for (String other : SIDE.keySet()) {
        if (!other.equals(s.getKey()) && !s.getValue().contains(other)) {
          forbidden.add(other);
        }
      }
      noClasses().that().resideInAPackage("io.trailkeep." + s.getKey() + "..")
          .should().dependOnClassesThat().resideInAnyPackage(packages(forbidden))
          .check(classes);
    }
  }

  @Test
  void everyPackageIsInTheLayering() {
    noClasses().that().resideInAPackage("io.trailkeep..")
        .and().resideOutsideOfPackages(packages(new ArrayList<>(LAYER.keySet())))
        .and().resideOutsideOfPackages(packages(new ArrayList<>(SIDE.keySet())))
        .should().bePublic().orShould().notBePublic()
        .because("a new package must be placed in the layering (README, Development)")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.trailkeep.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void onlySparkInternalTouchesSparkInternals() {
    noClasses().that().resideInAPackage("io.trailkeep..")
        .and().resideOutsideOfPackage("io.trailkeep.spark.internal..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark.sql.catalyst..",
            "org.apache.spark.sql.execution..", "org.apache.spark.sql.internal..",
            "org.apache.spark.unsafe..", "org.apache.spark.sql.delta..")
        .because("non-public Spark and Delta API is fenced in spark.internal (README, Compatibility)")
        .check(classes);
  }
}
