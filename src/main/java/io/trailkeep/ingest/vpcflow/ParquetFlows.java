package io.trailkeep.ingest.vpcflow;

import io.trailkeep.storage.RawFile;
import io.trailkeep.ingest.RecordSink;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Flow logs delivered as Parquet: columns named like the text header's fields with underscores,
 * typed INT32/INT64/string, nulls for absent values. Read from the bytes already in memory, one
 * row at a time; positions are 1-based row numbers.
 */
final class ParquetFlows {

  private ParquetFlows() {}

  static boolean isParquet(byte[] b, int length) {
    return length >= 8 && b[0] == 'P' && b[1] == 'A' && b[2] == 'R' && b[3] == '1';
  }

  /**
   * Reads the rows; damage found by the Parquet reader (a bad footer, a corrupt page) is
   * quarantined with the row count reached, and the rows before it land. Exceptions from our own
   * conversion are not caught: they are bugs and fail the file.
   */
  static void parse(VpcFlowFormat format, RawFile file, byte[] bytes, int length, RecordSink sink) {
    int position = 0;
    ParquetReader<Group> reader;
    try {
      reader = new Reader(new BytesInputFile(bytes, length)).build();
    } catch (IOException | RuntimeException e) {
      sink.quarantine(-1, 0, length, "unreadable Parquet flow log: " + e.getClass().getSimpleName()
          + ": " + e.getMessage(), null);
      return;
    }
    try (reader) {
      Group g;
      VpcFlowFormat.Columns columns = null;
      List<Type> types = null;
      while ((g = read(reader, position, length, sink)) != null) {
        position++;
        if (columns == null) {
          GroupType schema = g.getType();
          types = schema.getFields();
          List<String> names = new ArrayList<>();
          for (Type t : types) {
            names.add(t.getName());
          }
          columns = VpcFlowFormat.Columns.of(names);
        }
        Object[] row = new Object[VpcFlowFormat.WIDTH];
        StringBuilder other = null;
        for (int i = 0; i < types.size(); i++) {
          other = columns.putValue(row, i, value(g, i, types.get(i)), other);
        }
        sink.record(position, format.complete(row, other, columns.format, file));
      }
    } catch (IOException e) {
      sink.quarantine(position, 0, length, "cannot close Parquet flow log: " + e.getMessage(), null);
    }
  }

  /** The next row, or null at the end or at damage (quarantined with the rows read so far). */
  private static Group read(ParquetReader<Group> reader, int position, int length, RecordSink sink) {
    try {
      return reader.read();
    } catch (IOException | RuntimeException e) {
      sink.quarantine(position, 0, length, "unreadable Parquet flow log after " + position + " rows: "
          + e.getClass().getSimpleName() + ": " + e.getMessage(), null);
      return null;
    }
  }

  private static Object value(Group g, int i, Type t) {
    if (g.getFieldRepetitionCount(i) == 0 || !t.isPrimitive()) {
      return null;
    }
    PrimitiveType.PrimitiveTypeName p = t.asPrimitiveType().getPrimitiveTypeName();
    switch (p) {
      case INT32:
        return g.getInteger(i, 0);
      case INT64:
        return g.getLong(i, 0);
      case BOOLEAN:
        return String.valueOf(g.getBoolean(i, 0));
      case FLOAT:
        return String.valueOf(g.getFloat(i, 0));
      case DOUBLE:
        return String.valueOf(g.getDouble(i, 0));
      default:
        return g.getString(i, 0);
    }
  }

  private static final class Reader extends ParquetReader.Builder<Group> {
    Reader(InputFile file) {
      super(file);
    }

    @Override
    protected ReadSupport<Group> getReadSupport() {
      return new GroupReadSupport();
    }
  }

  /** An in-memory Parquet file. */
  private static final class BytesInputFile implements InputFile {
    private final byte[] bytes;
    private final int length;

    BytesInputFile(byte[] bytes, int length) {
      this.bytes = bytes;
      this.length = length;
    }

    @Override
    public long getLength() {
      return length;
    }

    @Override
    public SeekableInputStream newStream() {
      Positioned in = new Positioned(bytes, length);
      return new DelegatingSeekableInputStream(in) {
        @Override
        public long getPos() {
          return in.position();
        }

        @Override
        public void seek(long newPos) {
          in.seek((int) newPos);
        }
      };
    }
  }

  private static final class Positioned extends ByteArrayInputStream {
    Positioned(byte[] b, int length) {
      super(b, 0, length);
    }

    long position() {
      return pos;
    }

    void seek(int p) {
      pos = p;
    }
  }
}
