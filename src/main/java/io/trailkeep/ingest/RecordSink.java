package io.trailkeep.ingest;

/**
 * Where a {@link SourceFormat} puts what it parsed from one raw file. Called on executors.
 */
public interface RecordSink {

  /**
   * One parsed record: the table's column values in schema order, excluding the trailing
   * {@code source_file} and {@code source_position} columns, which the pipeline adds.
   */
  void record(int position, Object[] values);

  /**
   * Something that could not become a row. {@code position} is the record index or line number,
   * or -1 when it concerns the whole file.
   */
  void quarantine(int position, String reason, String rawText);
}
