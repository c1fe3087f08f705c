package io.trailkeep.ingest.vpcflow;

import io.trailkeep.storage.AwsLogKeys;
import io.trailkeep.json.JsonText;
import io.trailkeep.ingest.RawBytes;
import io.trailkeep.storage.RawFile;
import io.trailkeep.ingest.RecordSink;
import io.trailkeep.ingest.SourceFormat;
import io.trailkeep.schema.VpcFlowTable;
import io.trailkeep.schema.VpcFlowTable.Field;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructType;

/**
 * VPC Flow Logs files as delivered to S3: gzip text whose first line names the fields (any
 * custom format of versions 2 to 8, in any order), or Parquet. Parsed in one pass per file into
 * {@link VpcFlowTable} rows; the header decides which column each value goes to, never the
 * {@code version} value.
 *
 * <p>Damage handling: a line whose value count differs from the header's is quarantined on its
 * own; a file without a header line has each of its lines quarantined with that reason (the values
 * cannot be assigned to fields without it). Values that do not fit their column's type are kept in
 * {@code other_fields} rather than dropped.
 */
public final class VpcFlowFormat implements SourceFormat {
  private static final long serialVersionUID = 1L;
  private static final Pattern FLOW_LOG_ID = Pattern.compile("_vpcflowlogs_[a-z0-9-]+_(fl-[0-9a-z]+)_");
  static final int WIDTH = VpcFlowTable.SCHEMA.size() - 2;
  private static final int PROTOCOL = VpcFlowTable.indexOf("protocol");
  private static final int START = VpcFlowTable.indexOf("start_time");
  private static final int END = VpcFlowTable.indexOf("end_time");
  private static final int PROTOCOL_NAME = VpcFlowTable.indexOf("protocol_name");
  private static final int OTHER = VpcFlowTable.indexOf(VpcFlowTable.OTHER_FIELDS);
  private static final int LOG_FORMAT = VpcFlowTable.indexOf("log_format");
  private static final int LOG_ACCOUNT = VpcFlowTable.indexOf("log_account_id");
  private static final int FLOW_LOG = VpcFlowTable.indexOf("flow_log_id");
  private static final int DATE = VpcFlowTable.indexOf(VpcFlowTable.PARTITION_COLUMN);

  @Override
  public String source() {
    return "vpcflow";
  }

  @Override
  public boolean accepts(RawFile file) {
    return file.kind == AwsLogKeys.Kind.VPCFLOW;
  }

  @Override
  public String tableFor(RawFile file) {
    return VpcFlowTable.NAME;
  }

  @Override
  public StructType schema() {
    return VpcFlowTable.SCHEMA;
  }

  @Override
  public String partitionColumn() {
    return VpcFlowTable.PARTITION_COLUMN;
  }

  @Override
  public List<String> dedupKey() {
    return VpcFlowTable.DEDUP_KEY;
  }

  @Override
  public List<String> contentColumns() {
    return VpcFlowTable.contentColumns();
  }

  @Override
  public boolean keyIdentifiesRecord() {
    return false;
  }

  /** Flow keys repeat often (one interface, many windows): repeats are found by content hash first. */
  @Override
  public List<String> dedupBucket() {
    return List.of(VpcFlowTable.HASH_COLUMN);
  }

  @Override
  public Map<String, String> tableProperties() {
    return Map.of("delta.dataSkippingStatsColumns", String.join(",", VpcFlowTable.STATS_COLUMNS));
  }

  @Override
  public void parse(RawFile file, byte[] bytes, int length, RecordSink sink) {
    if (ParquetFlows.isParquet(bytes, length)) {
      ParquetFlows.parse(this, file, bytes, length, sink);
      return;
    }
    int lineEnd = lineEnd(bytes, 0, length);
    List<String> header = tokens(bytes, 0, lineEnd);
    int lineNo = 1;
    int pos = next(bytes, lineEnd, length);
    if (!isHeader(header)) {
      String reason = "no header line: the first line does not name flow-log fields (files "
          + "delivered to S3 start with one, e.g. 'version account-id interface-id ...'), so its "
          + "values cannot be assigned to fields";
      quarantineAllLines(bytes, 0, length, 1, reason, sink);
      return;
    }
    Columns columns;
    try {
      columns = Columns.of(header);
    } catch (IllegalArgumentException e) {
      quarantineAllLines(bytes, pos, length, 2, "bad header line: " + e.getMessage(), sink);
      return;
    }
    int[] starts = new int[header.size() + 1];
    int[] ends = new int[header.size() + 1];
    while (pos < length) {
      lineNo++;
      int end = lineEnd(bytes, pos, length);
      int n = split(bytes, pos, end, starts, ends);
      if (n == 0) {
        pos = next(bytes, end, length);
        continue;
      }
      if (n != header.size()) {
        sink.quarantineRecord(lineNo, pos, end - pos, "line has " + n + " values but the header names "
            + header.size() + " fields", text(bytes, pos, end));
      } else {
        Object[] row = new Object[WIDTH];
        StringBuilder other = null;
        for (int i = 0; i < n; i++) {
          other = columns.put(row, i, bytes, starts[i], ends[i], other);
        }
        sink.record(lineNo, complete(row, other, columns.format, file));
      }
      pos = next(bytes, end, length);
    }
  }

  /** Fills derived columns; {@code other} holds the pending other_fields object, or null. */
  Object[] complete(Object[] row, StringBuilder other, String format, RawFile file) {
    if (row[PROTOCOL] != null) {
      row[PROTOCOL_NAME] = Protocols.name((Integer) row[PROTOCOL]);
    }
    row[OTHER] = other == null ? null : other.append('}').toString();
    row[LOG_FORMAT] = format;
    row[LOG_ACCOUNT] = file.accountId;
    Matcher m = FLOW_LOG_ID.matcher(file.path);
    row[FLOW_LOG] = m.find() ? m.group(1) : null;
    Timestamp t = row[START] != null ? (Timestamp) row[START] : (Timestamp) row[END];
    row[DATE] = t != null ? Date.valueOf(t.toInstant().atZone(ZoneOffset.UTC).toLocalDate())
        : file.deliveryDate != null ? Date.valueOf(file.deliveryDate) : null;
    return row;
  }

  /** Header line: at least one known field name, and every token shaped like one. */
  static boolean isHeader(List<String> tokens) {
    boolean known = false;
    for (String t : tokens) {
      if (!t.matches("[a-z][a-z0-9_-]*")) {
        return false;
      }
      known |= VpcFlowTable.field(t) != null;
    }
    return known;
  }

  /** Where each header position goes. */
  static final class Columns {
    final Field[] fields;
    final String[] names;
    final String format;

    private Columns(Field[] fields, String[] names, String format) {
      this.fields = fields;
      this.names = names;
      this.format = format;
    }

    static Columns of(List<String> header) {
      Field[] f = new Field[header.size()];
      String[] names = new String[header.size()];
      Set<String> seen = new HashSet<>();
      List<String> normalized = new ArrayList<>();
      for (int i = 0; i < f.length; i++) {
        f[i] = VpcFlowTable.field(header.get(i));
        names[i] = f[i] != null ? f[i].name : header.get(i);
        if (!seen.add(names[i])) {
          throw new IllegalArgumentException("field '" + names[i] + "' appears twice");
        }
        normalized.add(names[i]);
      }
      return new Columns(f, names, String.join(" ", normalized));
    }

    /** Puts token {@code i} into the row; returns the other_fields builder (maybe started). */
    StringBuilder put(Object[] row, int i, byte[] b, int s, int e, StringBuilder other) {
      if (e - s == 1 && b[s] == '-') {
        return other;
      }
      Field f = fields[i];
      if (f != null) {
        Object v = typed(f.type, b, s, e);
        if (v != null) {
          row[f.index] = v;
          return other;
        }
      }
      return appendOther(other, names[i], new String(b, s, e - s, StandardCharsets.UTF_8));
    }

    /** Puts an already-typed value (Parquet); text that does not parse goes to other_fields. */
    StringBuilder putValue(Object[] row, int i, Object value, StringBuilder other) {
      if (value == null) {
        return other;
      }
      Field f = fields[i];
      if (f != null) {
        Object v = coerce(f.type, value);
        if (v != null) {
          row[f.index] = v;
          return other;
        }
      }
      return appendOther(other, names[i], String.valueOf(value));
    }
  }

  private static StringBuilder appendOther(StringBuilder other, String name, String value) {
    StringBuilder o = other == null ? new StringBuilder("{") : other.append(',');
    JsonText.appendQuoted(o, name);
    o.append(':');
    JsonText.appendQuoted(o, value);
    return o;
  }

  static Object typed(VpcFlowTable.Type type, byte[] b, int s, int e) {
    switch (type) {
      case STRING:
        return new String(b, s, e - s, StandardCharsets.UTF_8);
      case INT: {
        long v = digits(b, s, e);
        return v >= 0 && v <= Integer.MAX_VALUE ? (Object) (int) v : null;
      }
      case LONG: {
        long v = digits(b, s, e);
        return v >= 0 ? (Object) v : null;
      }
      default: {
        long v = digits(b, s, e);
        return v >= 0 ? new Timestamp(v * 1000L) : null;
      }
    }
  }

  static Object coerce(VpcFlowTable.Type type, Object value) {
    if (value instanceof String) {
      byte[] b = ((String) value).getBytes(StandardCharsets.UTF_8);
      return "-".equals(value) ? null : typed(type, b, 0, b.length);
    }
    long v = ((Number) value).longValue();
    switch (type) {
      case STRING:
        return String.valueOf(value);
      case INT:
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? (Object) (int) v : null;
      case LONG:
        return v;
      default:
        return Timestamp.from(Instant.ofEpochSecond(v));
    }
  }

  /** Non-negative decimal value of the bytes, or -1 when they are not 1-18 digits. */
  private static long digits(byte[] b, int s, int e) {
    if (e <= s || e - s > 18) {
      return -1;
    }
    long v = 0;
    for (int i = s; i < e; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static void quarantineAllLines(byte[] b, int from, int length, int firstLineNo,
      String reason, RecordSink sink) {
    int pos = from;
    int lineNo = firstLineNo - 1;
    while (pos < length) {
      lineNo++;
      int end = lineEnd(b, pos, length);
      if (end > pos && !RawBytes.isBlank(b, pos, end)) {
        sink.quarantineRecord(lineNo, pos, end - pos, reason, text(b, pos, end));
      }
      pos = next(b, end, length);
    }
  }

  private static int lineEnd(byte[] b, int from, int length) {
    int i = from;
    while (i < length && b[i] != '\n') {
      i++;
    }
    return i;
  }

  private static int next(byte[] b, int lineEnd, int length) {
    return Math.min(length, lineEnd + 1);
  }

  /** Splits on runs of spaces/tabs; records at most starts.length tokens; returns the count. */
  private static int split(byte[] b, int s, int e, int[] starts, int[] ends) {
    int n = 0;
    int i = s;
    while (i < e) {
      while (i < e && isSpace(b[i])) {
        i++;
      }
      if (i >= e) {
        break;
      }
      int t = i;
      while (i < e && !isSpace(b[i])) {
        i++;
      }
      if (n < starts.length) {
        starts[n] = t;
        ends[n] = i;
      }
      n++;
    }
    return n;
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\r';
  }

  static List<String> tokens(byte[] b, int s, int e) {
    List<String> out = new ArrayList<>();
    int i = s;
    while (i < e) {
      while (i < e && isSpace(b[i])) {
        i++;
      }
      int t = i;
      while (i < e && !isSpace(b[i])) {
        i++;
      }
      if (i > t) {
        out.add(new String(b, t, i - t, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static String text(byte[] b, int s, int e) {
    int end = e > s && b[e - 1] == '\r' ? e - 1 : e;
    return new String(b, s, end - s, StandardCharsets.UTF_8);
  }
}
