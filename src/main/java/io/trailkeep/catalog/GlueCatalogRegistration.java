package io.trailkeep.catalog;

import io.trailkeep.conf.ConfException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.GlueClientBuilder;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.CreateDatabaseRequest;
import software.amazon.awssdk.services.glue.model.CreateTableRequest;
import software.amazon.awssdk.services.glue.model.DatabaseInput;
import software.amazon.awssdk.services.glue.model.GlueException;
import software.amazon.awssdk.services.glue.model.SerDeInfo;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.TableInput;
import software.amazon.awssdk.services.glue.model.UpdateTableRequest;

/**
 * Registers lake tables in the AWS Glue Data Catalog with the AWS SDK v2, the way Athena (engine
 * 3) reads Delta natively and Spark on EMR and Glue reads them through the catalog: an external
 * table whose location is the table's folder ({@code s3://}), {@code table_type = DELTA} for
 * Athena, {@code spark.sql.sources.provider = delta} and the SerDe {@code path} for Spark, the
 * current Delta schema as the columns (for Lake Formation and catalog browsers; both engines read
 * the schema from the Delta log itself), and no partition keys (Delta keeps its partitions).
 *
 * <p>Side effects: CreateDatabase (when missing), then CreateTable, or UpdateTable for a name
 * that exists. Needs glue:CreateDatabase, glue:CreateTable and glue:UpdateTable.
 */
public final class GlueCatalogRegistration {
  private GlueCatalogRegistration() {}

  /** A Glue client for {@code region} (empty = the SDK's default region chain). */
  public static GlueClient client(String region) {
    GlueClientBuilder b = GlueClient.builder();
    if (!region.isEmpty()) {
      b = b.region(Region.of(region));
    }
    try {
      return b.build();
    } catch (SdkClientException e) {
      throw new ConfException("cannot set up the Glue client: " + e.getMessage()
          + "; set catalog.glue-region (or AWS_REGION)");
    }
  }

  /** The CreateDatabase request ({@code catalogId} empty = the caller's account). */
  public static CreateDatabaseRequest createDatabase(String catalogId, String database) {
    return CreateDatabaseRequest.builder().catalogId(catalogId.isEmpty() ? null : catalogId)
        .databaseInput(DatabaseInput.builder().name(database)
            .description("TrailKeep security data lake (CloudTrail, VPC Flow Logs, GuardDuty)")
            .build())
        .build();
  }

  /** The table definition of one entry (see the class comment). */
  public static TableInput tableInput(CatalogEntry e) {
    List<Column> columns = new ArrayList<>();
    for (StructField f : e.schema().fields()) {
      columns.add(Column.builder().name(f.name()).type(f.dataType().catalogString()).build());
    }
    String location = e.awsLocation();
    return TableInput.builder()
        .name(e.table())
        .description("TrailKeep lake table " + e.table() + " (Delta Lake)")
        .tableType("EXTERNAL_TABLE")
        .parameters(Map.of("EXTERNAL", "TRUE", "table_type", "DELTA",
            "spark.sql.sources.provider", "delta", "classification", "delta"))
        .partitionKeys(List.of())
        .storageDescriptor(StorageDescriptor.builder()
            .location(location)
            .columns(columns)
            .serdeInfo(SerDeInfo.builder().parameters(Map.of("path", location,
                "serialization.format", "1")).build())
            .build())
        .build();
  }

  /** The CreateTable request of one entry. */
  public static CreateTableRequest createTable(String catalogId, CatalogEntry e) {
    return CreateTableRequest.builder().catalogId(catalogId.isEmpty() ? null : catalogId)
        .databaseName(e.database()).tableInput(tableInput(e)).build();
  }

  /** The UpdateTable request of one entry (a name that exists gets today's location and schema). */
  public static UpdateTableRequest updateTable(String catalogId, CatalogEntry e) {
    return UpdateTableRequest.builder().catalogId(catalogId.isEmpty() ? null : catalogId)
        .databaseName(e.database()).tableInput(tableInput(e)).build();
  }

  /** Creates the database unless it exists. */
  public static void ensureDatabase(GlueClient glue, String catalogId, String database) {
    try {
      glue.createDatabase(createDatabase(catalogId, database));
    } catch (AlreadyExistsException e) {
      // registered before: nothing to do
    } catch (GlueException | SdkClientException e) {
      throw failure("create the database " + database, e);
    }
  }

  /** Registers one table: {@code created}, or {@code updated} when its name existed. */
  public static String register(GlueClient glue, String catalogId, CatalogEntry e) {
    try {
      try {
        glue.createTable(createTable(catalogId, e));
        return "created";
      } catch (AlreadyExistsException exists) {
        glue.updateTable(updateTable(catalogId, e));
        return "updated";
      }
    } catch (GlueException | SdkClientException x) {
      throw failure("register " + e.qualifiedName(), x);
    }
  }

  private static ConfException failure(String what, RuntimeException e) {
    String reason = e instanceof GlueException g && g.awsErrorDetails() != null
        ? g.awsErrorDetails().errorCode() + ": " + g.awsErrorDetails().errorMessage()
        : e.getMessage();
    return new ConfException("cannot " + what + " in the Glue Data Catalog (" + reason + "); check "
        + "the credentials, catalog.glue-region and the policy in jobs/iam-policy.json "
        + "(glue:CreateDatabase, glue:CreateTable, glue:UpdateTable)");
  }
}
