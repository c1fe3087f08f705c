package io.trailkeep.ingest;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/**
 * A raw log format that the generic {@link IngestPipeline} can land in a Delta table: which files
 * it takes, how one file's bytes become rows, and the target table's shape. Implementations are
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
   * Columns that identify one record across files, or an empty list for file-level dedup only.
   * When non-empty, the schema has a {@code record_hash} column that the pipeline fills from
   * {@link #contentColumns()}, and only rows equal in key and hash are duplicates.
   */
  List<String> dedupKey();

  /**
   * Columns whose values make up a record's content, hashed into {@code record_hash}; empty when
   * the key alone identifies a record (the schema then has no {@code record_hash}).
   */
  List<String> contentColumns();

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

  /** Parses one decompressed file. Must not throw for content problems: quarantine instead. */
  void parse(RawFile file, byte[] bytes, int length, RecordSink sink);
}
