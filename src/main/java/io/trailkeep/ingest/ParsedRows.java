package io.trailkeep.ingest;

import io.trailkeep.ingest.Fetch.RawBlob;
import io.trailkeep.storage.RawFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rows one parse of a batch produces. So that a single pass over the raw bytes yields
 * everything the driver needs, three kinds of row share one schema ({@link Layout#combined}): a
 * record (the table's columns), a quarantined item ({@code _q_*} columns) and a per-file summary
 * ({@code _f_*} columns: records per partition value, quarantined items, or the failure of our own
 * code on that file). {@link Layout} addresses every column by name.
 */
final class ParsedRows {
  private ParsedRows() {}

  static final String KIND = "_kind";
  static final String RECORD = "R";
  static final String QUARANTINED = "Q";
  static final String FILE_SUMMARY = "F";

  static final String Q_REASON = "_q_reason";
  static final String Q_RAW = "_q_raw";
  static final String Q_LENGTH = "_q_length";
  static final String Q_IS_RECORD = "_q_is_record";
  static final String Q_OFFSET = "_q_offset";
  static final String Q_BYTES = "_q_bytes";
  static final String F_RECORDS = "_f_records";
  static final String F_QUARANTINED = "_f_quarantined";
  static final String F_QUARANTINED_RECORDS = "_f_quarantined_records";
  static final String F_FAILURE = "_f_failure";
  static final String SOURCE_FILE = "source_file";
  static final String SOURCE_POSITION = "source_position";

  /** Column positions of the combined row, by name; built once per batch, shipped to executors. */
  static final class Layout implements Serializable {
    private static final long serialVersionUID = 1L;
    final StructType table;
    final StructType combined;
    /** For each value the parser gives (table columns before provenance), its combined position. */
    private final int[] valueSlots;
    private final int kind;
    private final int sourceFile;
    private final int sourcePosition;
    private final int partition;
    private final int partitionInValues;
    private final int qReason;
    private final int qRaw;
    private final int qLength;
    private final int qIsRecord;
    private final int qOffset;
    private final int qBytes;
    private final int fRecords;
    private final int fQuarantined;
    private final int fQuarantinedRecords;
    private final int fFailure;

    Layout(SourceFormat format) {
      this.table = format.schema();
      List<StructField> f = new ArrayList<>();
      f.add(DataTypes.createStructField(KIND, DataTypes.StringType, false));
      for (StructField s : table.fields()) {
        f.add(DataTypes.createStructField(s.name(), s.dataType(), true));
      }
      f.add(DataTypes.createStructField(Q_REASON, DataTypes.StringType, true));
      f.add(DataTypes.createStructField(Q_RAW, DataTypes.StringType, true));
      f.add(DataTypes.createStructField(Q_LENGTH, DataTypes.LongType, true));
      f.add(DataTypes.createStructField(Q_IS_RECORD, DataTypes.BooleanType, true));
      f.add(DataTypes.createStructField(Q_OFFSET, DataTypes.LongType, true));
      f.add(DataTypes.createStructField(Q_BYTES, DataTypes.LongType, true));
      f.add(DataTypes.createStructField(F_RECORDS, DataTypes.LongType, true));
      f.add(DataTypes.createStructField(F_QUARANTINED, DataTypes.LongType, true));
      f.add(DataTypes.createStructField(F_QUARANTINED_RECORDS, DataTypes.LongType, true));
      f.add(DataTypes.createStructField(F_FAILURE, DataTypes.StringType, true));
      this.combined = DataTypes.createStructType(f);
      String[] names = table.fieldNames();
      this.valueSlots = new int[names.length - 2];
      for (int i = 0; i < valueSlots.length; i++) {
        valueSlots[i] = combined.fieldIndex(names[i]);
      }
      this.kind = combined.fieldIndex(KIND);
      this.sourceFile = combined.fieldIndex(SOURCE_FILE);
      this.sourcePosition = combined.fieldIndex(SOURCE_POSITION);
      this.partition = combined.fieldIndex(format.partitionColumn());
      this.partitionInValues = table.fieldIndex(format.partitionColumn());
      this.qReason = combined.fieldIndex(Q_REASON);
      this.qRaw = combined.fieldIndex(Q_RAW);
      this.qLength = combined.fieldIndex(Q_LENGTH);
      this.qIsRecord = combined.fieldIndex(Q_IS_RECORD);
      this.qOffset = combined.fieldIndex(Q_OFFSET);
      this.qBytes = combined.fieldIndex(Q_BYTES);
      this.fRecords = combined.fieldIndex(F_RECORDS);
      this.fQuarantined = combined.fieldIndex(F_QUARANTINED);
      this.fQuarantinedRecords = combined.fieldIndex(F_QUARANTINED_RECORDS);
      this.fFailure = combined.fieldIndex(F_FAILURE);
    }

    /**
     * What the keys pass keeps: kind, the de-duplication key and bucket, partition, provenance,
     * and every quarantine and summary column.
     */
    StructType keys(SourceFormat format) {
      Set<String> keep = new LinkedHashSet<>();
      keep.add(KIND);
      keep.addAll(format.dedupKey());
      keep.add(format.partitionColumn());
      keep.add(SOURCE_FILE);
      keep.add(SOURCE_POSITION);
      keep.addAll(List.of(Q_REASON, Q_RAW, Q_LENGTH, Q_IS_RECORD, Q_OFFSET, Q_BYTES, F_RECORDS,
          F_QUARANTINED, F_QUARANTINED_RECORDS, F_FAILURE));
      List<StructField> f = new ArrayList<>();
      for (String name : keep) {
        f.add(combined.apply(name));
      }
      return DataTypes.createStructType(f);
    }

    Object partitionOf(Object[] values) {
      return values[partitionInValues];
    }

    Object[] record(Object[] values, String file, int position) {
      Object[] row = new Object[combined.size()];
      row[kind] = RECORD;
      for (int i = 0; i < valueSlots.length; i++) {
        row[valueSlots[i]] = values[i];
      }
      row[sourceFile] = file;
      row[sourcePosition] = position;
      return row;
    }

    Object[] quarantined(String file, int position, long offset, long bytes, String reason,
        String rawText, int rawChars, boolean isRecord) {
      Object[] row = new Object[combined.size()];
      row[kind] = QUARANTINED;
      row[sourceFile] = file;
      row[sourcePosition] = position;
      row[qReason] = reason;
      row[qRaw] = rawText == null ? null
          : rawText.length() > rawChars ? rawText.substring(0, rawChars) : rawText;
      row[qLength] = rawText == null ? null : (long) rawText.length();
      row[qIsRecord] = isRecord;
      row[qOffset] = offset < 0 ? null : offset;
      row[qBytes] = bytes < 0 ? null : bytes;
      return row;
    }

    Object[] summary(String file, Object partitionValue, long records, long quarantined,
        long quarantinedRecords, String failure) {
      Object[] row = new Object[combined.size()];
      row[kind] = FILE_SUMMARY;
      row[sourceFile] = file;
      row[partition] = partitionValue;
      row[fRecords] = records;
      row[fQuarantined] = quarantined;
      row[fQuarantinedRecords] = quarantinedRecords;
      row[fFailure] = failure;
      return row;
    }
  }

  /**
   * Executor side: parses the cached raw files of a task into rows of {@code out} (a projection
   * of the layout's combined schema, by column name). For the table's own schema only records are
   * produced; otherwise records, quarantined items and each file's summary rows (one per partition
   * value, so the driver learns the counts without a shuffle).
   *
   * <p>A file on which the format throws (a bug in our code, never bad data: formats quarantine
   * bad data) yields no record and no quarantine row, only a summary row carrying the failure, so
   * nothing of it lands and the manifest does not mark it done.
   */
  static final class ParseFiles implements FlatMapFunction<Iterator<RawBlob>, Object[]> {
    private static final long serialVersionUID = 1L;
    private final SourceFormat format;
    private final Layout layout;
    private final long maxFileBytes;
    private final int rawChars;
    private final boolean recordsOnly;
    private final int[] projection;

    ParseFiles(SourceFormat format, Layout layout, long maxFileBytes, int rawChars, StructType out) {
      this.format = format;
      this.layout = layout;
      this.maxFileBytes = maxFileBytes;
      this.rawChars = rawChars;
      this.recordsOnly = out.equals(format.schema());
      this.projection = new int[out.size()];
      for (int i = 0; i < projection.length; i++) {
        projection[i] = layout.combined.fieldIndex(out.fields()[i].name());
      }
    }

    @Override
    public Iterator<Object[]> call(Iterator<RawBlob> blobs) {
      RawBytes bytes = new RawBytes();
      return new Iterator<Object[]>() {
        private Iterator<Object[]> current = Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!current.hasNext() && blobs.hasNext()) {
            current = parseOne(blobs.next(), bytes).iterator();
          }
          return current.hasNext();
        }

        @Override
        public Object[] next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return current.next();
        }
      };
    }

    private Object[] project(Object[] row) {
      Object[] out = new Object[projection.length];
      for (int i = 0; i < projection.length; i++) {
        out[i] = row[projection[i]];
      }
      return out;
    }

    /** Counts of one file while it is parsed. */
    private static final class FileCounts {
      final Map<Object, long[]> recordsByPartition = new LinkedHashMap<>();
      long quarantined;
      long quarantinedRecords;
    }

    private List<Object[]> parseOne(RawBlob blob, RawBytes bytes) {
      RawFile file = blob.file();
      List<Object[]> out = new ArrayList<>();
      FileCounts counts = new FileCounts();
      RecordSink sink = new RecordSink() {
        @Override
        public void record(int position, Object[] values) {
          counts.recordsByPartition.computeIfAbsent(layout.partitionOf(values), p -> new long[1])[0]++;
          out.add(project(layout.record(values, file.path, position)));
        }

        @Override
        public void quarantineRecord(int position, long offset, long length, String reason, String rawText) {
          counts.quarantined++;
          counts.quarantinedRecords++;
          if (!recordsOnly) {
            out.add(project(layout.quarantined(file.path, position, offset, length, reason, rawText,
                rawChars, true)));
          }
        }

        @Override
        public void quarantine(int position, long offset, long length, String reason, String rawText) {
          counts.quarantined++;
          if (!recordsOnly) {
            out.add(project(layout.quarantined(file.path, position, offset, length, reason, rawText,
                rawChars, false)));
          }
        }
      };
      String failure = null;
      try {
        parse(blob, bytes, sink);
      } catch (RuntimeException e) {
        failure = describe(e);
        out.clear();
      }
      if (recordsOnly) {
        return out;
      }
      if (failure != null) {
        out.add(project(layout.summary(file.path, null, 0, 0, 0, failure)));
        return out;
      }
      // one summary row per partition value with its record count; the first also carries the
      // file's quarantine counts (a file without records gets one with a null partition)
      if (counts.recordsByPartition.isEmpty()) {
        counts.recordsByPartition.put(null, new long[1]);
      }
      boolean first = true;
      for (Map.Entry<Object, long[]> e : counts.recordsByPartition.entrySet()) {
        out.add(project(layout.summary(file.path, e.getKey(), e.getValue()[0],
            first ? counts.quarantined : 0, first ? counts.quarantinedRecords : 0, null)));
        first = false;
      }
      return out;
    }

    private static String describe(RuntimeException e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      String t = trace.toString();
      return t.length() > 4000 ? t.substring(0, 4000) : t;
    }

    private void parse(RawBlob blob, RawBytes bytes, RecordSink sink) {
      if (blob.missing() != null) {
        sink.quarantine(-1, -1, -1, "file disappeared before it could be read: " + blob.missing(), null);
        return;
      }
      try {
        bytes.read(new ByteArrayInputStream(blob.stored()), new Path(blob.file().path).getName(),
            maxFileBytes);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot decode " + blob.file().path, e);
      }
      if (blob.cut()) {
        bytes.markTruncatedBySize(maxFileBytes);
      }
      String error = bytes.error();
      boolean parseable = error == null || (!error.startsWith("not in gzip") && bytes.length() > 0);
      if (parseable) {
        format.parse(blob.file(), bytes.buffer(), bytes.length(), sink);
      }
      if (error != null) {
        sink.quarantine(-1, 0, bytes.length(), error, new String(bytes.buffer(), 0,
            Math.min(bytes.length(), rawChars), StandardCharsets.ISO_8859_1));
      }
      bytes.trim();
    }
  }
}
