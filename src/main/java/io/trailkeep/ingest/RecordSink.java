package io.trailkeep.ingest;

/**
 * Where a {@link SourceFormat} puts what it parsed from one raw file. Called on executors. Offsets
 * and lengths are in bytes of the decompressed object, -1 when unknown, so a quarantined item can
 * be found in the original object even when its raw text is truncated or absent.
 */
public interface RecordSink {

  /**
   * One parsed record: the table's column values in schema order, excluding the trailing
   * {@code source_file} and {@code source_position} columns, which the pipeline adds.
   */
  void record(int position, Object[] values);

  /**
   * One raw record (an array element, a line) that could not become a row. It counts as a record
   * read. {@code position} is its index or line number.
   */
  void quarantineRecord(int position, long offset, long length, String reason, String rawText);

  /**
   * Something other than one record that could not become a row: an unreadable file, a damaged
   * tail. {@code position} is where the damage starts, or -1 when it concerns the whole file.
   */
  void quarantine(int position, long offset, long length, String reason, String rawText);
}
