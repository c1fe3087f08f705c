package io.trailkeep.ingest.guardduty;

import io.trailkeep.storage.AwsLogKeys;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.trailkeep.ingest.JsonSpecReader;
import io.trailkeep.ingest.RawBytes;
import io.trailkeep.storage.RawFile;
import io.trailkeep.ingest.RecordSink;
import io.trailkeep.ingest.SourceFormat;
import io.trailkeep.schema.GuardDutyTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/**
 * GuardDuty findings exported to S3: gzip JSON Lines, one finding per line, the same finding
 * re-exported whenever it updates. Each line becomes one {@link GuardDutyTable} row; the pipeline
 * keeps the latest version per finding id (see {@link #latestBy()}).
 *
 * <p>Damage handling: a line that is not a JSON object, or has no id or no valid updatedAt, is
 * quarantined with its line number; the other lines of the file land.
 */
public final class GuardDutyFormat implements SourceFormat {
  private static final long serialVersionUID = 1L;
  private static final JsonFactory JSON = new JsonFactory();
  private static final int ID = GuardDutyTable.FINDING.indexOf("id");
  private static final int UPDATED = GuardDutyTable.FINDING.indexOf("updatedAt");

  @Override
  public String source() {
    return "guardduty";
  }

  @Override
  public boolean accepts(RawFile file) {
    return file.kind == AwsLogKeys.Kind.GUARDDUTY;
  }

  @Override
  public String tableFor(RawFile file) {
    return GuardDutyTable.NAME;
  }

  @Override
  public StructType schema() {
    return GuardDutyTable.SCHEMA;
  }

  @Override
  public String partitionColumn() {
    return GuardDutyTable.PARTITION_COLUMN;
  }

  @Override
  public List<String> dedupKey() {
    return GuardDutyTable.KEY;
  }

  @Override
  public List<String> contentColumns() {
    return List.of();
  }

  @Override
  public String latestBy() {
    return GuardDutyTable.VERSION_COLUMN;
  }

  @Override
  public Map<String, String> tableProperties() {
    return Map.of("delta.dataSkippingStatsColumns", String.join(",", GuardDutyTable.STATS_COLUMNS));
  }

  @Override
  public void parse(RawFile file, byte[] bytes, int length, RecordSink sink) {
    JsonSpecReader reader = new JsonSpecReader();
    int pos = 0;
    int lineNo = 0;
    while (pos < length) {
      lineNo++;
      int end = pos;
      while (end < length && bytes[end] != '\n') {
        end++;
      }
      int e = end > pos && bytes[end - 1] == '\r' ? end - 1 : end;
      if (!RawBytes.isBlank(bytes, pos, e)) {
        byte[] line = Arrays.copyOfRange(bytes, pos, e);
        parseLine(file, line, lineNo, pos, reader, sink);
      }
      pos = end + 1;
    }
  }

  private static void parseLine(RawFile file, byte[] line, int lineNo, long offset,
      JsonSpecReader reader, RecordSink sink) {
    reader.reset(line);
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        sink.quarantineRecord(lineNo, offset, line.length, "line is not a JSON object", text(line));
        return;
      }
      Object[] finding = reader.readObject(p, GuardDutyTable.FINDING);
      if (p.nextToken() != null) {
        sink.quarantineRecord(lineNo, offset, line.length, "line holds more than one JSON value", text(line));
        return;
      }
      if (finding[ID] == null) {
        sink.quarantineRecord(lineNo, offset, line.length, "finding has no id", text(line));
        return;
      }
      if (finding[UPDATED] == null) {
        sink.quarantineRecord(lineNo, offset, line.length, "finding has no valid updatedAt", text(line));
        return;
      }
      sink.record(lineNo, FindingDerived.complete(finding, file));
    } catch (JsonProcessingException e) {
      sink.quarantineRecord(lineNo, offset, line.length, "invalid JSON at byte " + (e.getLocation() == null ? -1
          : e.getLocation().getByteOffset()) + " of the line", text(line));
    } catch (IOException e) {
      // a byte-array parser raises no other I/O error than bad content
      sink.quarantineRecord(lineNo, offset, line.length, "unreadable finding: " + e.getMessage(), text(line));
    }
  }

  private static String text(byte[] line) {
    return new String(line, StandardCharsets.UTF_8);
  }
}
