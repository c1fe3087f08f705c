package io.trailkeep.ingest;

import io.trailkeep.storage.RawFile;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/**
 * A raw log format that ingest can land in a Delta table: which files it takes, how one file's
 * bytes become rows, and the target table's shape and identity rules. Implementations are
 * stateless and serializable; they run on executors.
 */
public interface SourceFormat extends Serializable {

  /** The --source value and quarantine table prefix, e.g. {@code cloudtrail}. */
  String source();

  /** Whether this format parses the given file. */
  boolean accepts(RawFile file);

  /** Target table for a file this format accepts (a source may feed several tables). */
  String tableFor(RawFile file);

  /** Target table schema; its last two columns are {@code source_file} and {@code source_position}. */
  StructType schema();

  /** Partition column of every target table. */
  String partitionColumn();

  /**
   * Columns that, with the content hash, identify one record across files (null values compare
   * equal, so a record whose natural key is incomplete is identified by the rest and its content).
   * When {@link #contentColumns()} is not empty, the schema has a {@code record_hash} column that
   * ingest fills, and only rows equal in key and hash are duplicates.
   */
  List<String> dedupKey();

  /**
   * Columns whose values make up a record's content, hashed into {@code record_hash}; empty when
   * the key alone identifies a record (the schema then has no {@code record_hash}).
   */
  List<String> contentColumns();

  /**
   * The columns de-duplication first groups by to find candidate repeats cheaply (one aggregation
   * over these only); the exact identity check then runs on the candidates. Default the key.
   */
  default List<String> dedupBucket() {
    return dedupKey();
  }

  /**
   * Whether a complete key is meant to name one record (CloudTrail's eventID): two contents under
   * one complete key are then kept and reported as {@code key_conflicts}. False for keys that only
   * narrow the identity (flow records). Default true.
   */
  default boolean keyIdentifiesRecord() {
    return true;
  }

  /**
   * For sources whose records are re-delivered as they change (GuardDuty findings): the column
   * that orders versions of one {@link #dedupKey()}. The table then keeps one row per key, the
   * version with the greatest value (ties go to the later source_file, then position), and a
   * newer delivery updates the row in place. Null (the default) means append-only.
   */
  default String latestBy() {
    return null;
  }

  /** Delta table properties to set on creation (data-skipping statistics, etc.). */
  Map<String, String> tableProperties();

  /**
   * Parses one decompressed file. Content that does not match the format goes to the sink's
   * quarantine methods; an exception means a bug in the parser, and fails the file (it is retried
   * by the next run, never marked done).
   */
  void parse(RawFile file, byte[] bytes, int length, RecordSink sink);
}
