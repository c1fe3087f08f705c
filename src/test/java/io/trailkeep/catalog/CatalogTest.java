package io.trailkeep.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.cli.CliRunner;
import io.trailkeep.cli.CliRunner.Run;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.json.Json;
import io.trailkeep.lake.Lake;
import io.trailkeep.testing.DataFrames;
import io.trailkeep.testing.Fixtures;
import io.trailkeep.testing.TestSpark;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.CreateTableRequest;
import software.amazon.awssdk.services.glue.model.TableInput;

/**
 * {@code catalog} for real on the local path: the tables are registered in Spark's catalog, a
 * later {@code sql} (its catalog emptied first, as a new process's would be) queries them by their
 * catalog names, and the Spark DDL file, run as it is, registers them too. The Glue path is checked
 * through the SDK's own request objects and the HTTP request the SDK marshals (stopped before it
 * leaves the JVM).
 */
class CatalogTest {
  private static Path lake;

  @BeforeAll
  static void lake() {
    Path raw = TestSpark.tempDir("raw-catalog");
    Fixtures.writeGzip(raw, Fixtures.logKey(Fixtures.ACCOUNT, "us-east-1", "20260301T1005Z",
        "CATALOG000000001"), Fixtures.body(List.of(
            Fixtures.record("c1", "2026-03-01T10:00:00Z", "GetObject"),
            Fixtures.record("c2", "2026-03-01T10:01:00Z", "ListBuckets"))));
    lake = TestSpark.tempDir("lake-catalog");
    IngestJob.into(new Lake(TestSpark.get(), lake.toString())).raw(raw.toString()).execute();
  }

  private static void forgetCatalog(String database) {
    // what a new local process starts with: an empty in-memory catalog
    TestSpark.get().sql("DROP DATABASE IF EXISTS IDENTIFIER(:db) CASCADE", Map.of("db", database));
  }

  private static Lake theLake() {
    return new Lake(TestSpark.get(), lake.toString());
  }

  @Test
  void registersLocallyAndSqlQueriesByCatalogName() throws Exception {
    forgetCatalog("trailkeep");
    Run r = CliRunner.run("catalog", "--lake", lake.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode summary = Json.parse(r.lastLine());
    assertEquals("spark", summary.get("target").asText());
    List<String> names = new ArrayList<>();
    for (JsonNode t : summary.get("tables")) {
      names.add(t.get("name").asText());
      assertEquals("created", t.get("action").asText(), t.toString());
    }
    List<String> expected = theLake().tables().stream().map(t -> "trailkeep." + t).toList();
    assertEquals(expected, names);
    assertTrue(names.contains("trailkeep.cloudtrail"), names.toString());

    forgetCatalog("trailkeep");
    Run q = CliRunner.run("sql", "--lake", lake.toString(), "--json",
        "SELECT eventID FROM trailkeep.cloudtrail ORDER BY eventID");
    assertEquals(0, q.code(), q.err());
    assertEquals(List.of("{\"eventID\":\"c1\"}", "{\"eventID\":\"c2\"}"), q.out().strip().lines().toList());

    // a second run keeps what is there
    Run again = CliRunner.run("catalog", "--lake", lake.toString(), "--json");
    assertEquals(0, again.code(), again.err());
    JsonNode second = Json.parse(again.lastLine());
    for (JsonNode t : second.get("tables")) {
      assertEquals("exists", t.get("action").asText(), t.toString());
    }
  }

  @Test
  void theSparkDdlFileRunAsItIsRegistersTheTables() throws Exception {
    Run r = CliRunner.run("catalog", "--lake", lake.toString(), "--database", "evidence");
    assertEquals(0, r.code(), r.err());
    forgetCatalog("evidence");
    SparkSession spark = TestSpark.get();
    String ddl = Files.readString(lake.resolve("_catalog/spark.sql"), StandardCharsets.UTF_8);
    int statements = 0;
    for (String statement : ddl.split(";\n")) {
      String sql = statement.lines().filter(l -> !l.startsWith("--")).reduce("", (a, b) -> a + b + "\n");
      if (!sql.isBlank()) {
        spark.sql(sql);
        statements++;
      }
    }
    assertEquals(1 + theLake().tables().size(), statements, ddl);
    DataFrames.assertEqualIgnoringOrder(theLake().read("cloudtrail"), spark.table("evidence.cloudtrail"));
    String athena = Files.readString(lake.resolve("_catalog/athena.sql"), StandardCharsets.UTF_8);
    assertTrue(athena.contains("CREATE EXTERNAL TABLE IF NOT EXISTS `evidence`.`cloudtrail` LOCATION '"
        + lake.resolve("cloudtrail") + "' TBLPROPERTIES ('table_type' = 'DELTA');"), athena);
  }

  @Test
  void aNameRegisteredElsewhereIsRefusedAndBadNamesAreUsageErrors() {
    forgetCatalog("clash");
    TestSpark.get().sql("CREATE DATABASE clash");
    TestSpark.get().catalog().createTable("clash.cloudtrail",
        TestSpark.tempDir("elsewhere").resolve("t").toString(), "delta");
    Run r = CliRunner.run("catalog", "--lake", lake.toString(), "--database", "clash");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("clash.cloudtrail is already registered at"), r.err());
    forgetCatalog("clash");

    Run bad = CliRunner.run("catalog", "--lake", lake.toString(), "--database", "Robert'); DROP");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("catalog.database"), bad.err());
  }

  private static final StructType SCHEMA = new StructType()
      .add("eventID", DataTypes.StringType)
      .add("eventTime", DataTypes.TimestampType)
      .add("userIdentity", new StructType().add("arn", DataTypes.StringType))
      .add("tags", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
      .add("day", DataTypes.DateType);

  @Test
  void glueTablesAreDeltaTablesAthenaAndSparkRead() {
    CatalogEntry e = new CatalogEntry("trailkeep", "cloudtrail", "s3a://lake-bucket/lake/cloudtrail", SCHEMA);
    CreateTableRequest create = GlueCatalogRegistration.createTable("123456789012", e);
    assertEquals("123456789012", create.catalogId());
    assertEquals("trailkeep", create.databaseName());
    TableInput t = create.tableInput();
    assertEquals("cloudtrail", t.name());
    assertEquals("EXTERNAL_TABLE", t.tableType());
    assertEquals(Map.of("EXTERNAL", "TRUE", "table_type", "DELTA", "spark.sql.sources.provider", "delta",
        "classification", "delta"), t.parameters());
    assertEquals(List.of(), t.partitionKeys());
    assertEquals("s3://lake-bucket/lake/cloudtrail", t.storageDescriptor().location());
    assertEquals(Map.of("path", "s3://lake-bucket/lake/cloudtrail", "serialization.format", "1"),
        t.storageDescriptor().serdeInfo().parameters());
    assertEquals(List.of(col("eventID", "string"), col("eventTime", "timestamp"),
        col("userIdentity", "struct<arn:string>"), col("tags", "map<string,string>"),
        col("day", "date")), t.storageDescriptor().columns());
    assertEquals(null, GlueCatalogRegistration.createTable("", e).catalogId(), "empty = caller's account");
    assertEquals(t, GlueCatalogRegistration.updateTable("", e).tableInput());
  }

  private static Column col(String name, String type) {
    return Column.builder().name(name).type(type).build();
  }

  /** Stops a request once the SDK has marshalled and signed it, before anything is sent. */
  private static final class Captured extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient software.amazon.awssdk.http.SdkHttpRequest request;
    final String body;

    Captured(software.amazon.awssdk.http.SdkHttpRequest request, String body) {
      super("captured");
      this.request = request;
      this.body = body;
    }
  }

  @Test
  void theSdkMarshalsTheCreateTableRequestAsGlueExpects() {
    ExecutionInterceptor capture = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        String body = context.requestBody().map(b -> {
          try (var in = b.contentStreamProvider().newStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
          }
        }).orElse("");
        throw new Captured(context.httpRequest(), body);
      }
    };
    CatalogEntry e = new CatalogEntry("trailkeep", "alerts", "s3a://lake-bucket/lake/alerts", SCHEMA);
    try (GlueClient glue = GlueClient.builder().region(Region.US_EAST_1)
        .endpointOverride(URI.create("http://127.0.0.1:9"))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
        .overrideConfiguration(c -> c.addExecutionInterceptor(capture)).build()) {
      RuntimeException thrown = assertThrows(RuntimeException.class,
          () -> glue.createTable(GlueCatalogRegistration.createTable("", e)));
      Captured c = findCaptured(thrown);
      assertEquals(List.of("AWSGlue.CreateTable"), c.request.headers().get("X-Amz-Target"));
      JsonNode body = Json.parse(c.body);
      assertEquals("trailkeep", body.get("DatabaseName").asText());
      assertEquals("alerts", body.at("/TableInput/Name").asText());
      assertEquals("s3://lake-bucket/lake/alerts", body.at("/TableInput/StorageDescriptor/Location").asText());
      assertEquals("DELTA", body.at("/TableInput/Parameters/table_type").asText());
      assertEquals(5, body.at("/TableInput/StorageDescriptor/Columns").size());
    }
  }

  private static Captured findCaptured(Throwable t) {
    for (Throwable x = t; x != null; x = x.getCause()) {
      if (x instanceof Captured c) {
        return c;
      }
    }
    assertInstanceOf(Captured.class, t, "the request was stopped by the interceptor");
    return null;
  }
}
