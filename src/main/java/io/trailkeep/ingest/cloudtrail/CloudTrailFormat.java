package io.trailkeep.ingest.cloudtrail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.trailkeep.ingest.JsonSpecReader;
import io.trailkeep.ingest.RecordSink;
import io.trailkeep.ingest.SourceFormat;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.storage.AwsLogKeys;
import io.trailkeep.storage.RawFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/**
 * CloudTrail log files ({@code {"Records":[...]}}, gzip) and Insights files, parsed in one
 * streaming pass per file into {@link CloudTrailTable} rows. Digest files are not accepted here;
 * the pipeline records them in the manifest as skipped for the integrity job.
 *
 * <p>Damage handling: a record that is not an object, or lacks a usable eventTime, is quarantined
 * on its own; invalid or truncated JSON quarantines the rest of the file from the last good record
 * on, while the records before it land.
 */
public final class CloudTrailFormat implements SourceFormat {
  private static final long serialVersionUID = 1L;
  private static final JsonFactory JSON = new JsonFactory();
  private static final int EVENT_TIME = CloudTrailTable.RECORD.indexOf("eventTime");

  @Override
  public String source() {
    return "cloudtrail";
  }

  @Override
  public boolean accepts(RawFile file) {
    return file.kind == AwsLogKeys.Kind.CLOUDTRAIL || file.kind == AwsLogKeys.Kind.CLOUDTRAIL_INSIGHT;
  }

  @Override
  public String tableFor(RawFile file) {
    return file.kind == AwsLogKeys.Kind.CLOUDTRAIL_INSIGHT ? CloudTrailTable.INSIGHTS_NAME
        : CloudTrailTable.NAME;
  }

  @Override
  public StructType schema() {
    return CloudTrailTable.SCHEMA;
  }

  @Override
  public String partitionColumn() {
    return CloudTrailTable.PARTITION_COLUMN;
  }

  @Override
  public List<String> dedupKey() {
    return CloudTrailTable.DEDUP_KEY;
  }

  @Override
  public List<String> contentColumns() {
    return CloudTrailTable.contentColumns();
  }

  @Override
  public Map<String, String> tableProperties() {
    return Map.of("delta.dataSkippingStatsColumns", String.join(",", CloudTrailTable.STATS_COLUMNS),
        "parquet.enable.dictionary#eventID", "false", "parquet.enable.dictionary#requestID", "false",
        "parquet.enable.dictionary#record_hash", "false",
        "parquet.enable.dictionary#requestParameters", "false",
        "parquet.enable.dictionary#responseElements", "false");
  }

  @Override
  public void parse(RawFile file, byte[] bytes, int length, RecordSink sink) {
    JsonSpecReader reader = new JsonSpecReader();
    reader.reset(bytes);
    int position = 0;
    long recordStart = 0;
    boolean sawRecords = false;
    try (JsonParser p = JSON.createParser(bytes, 0, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        sink.quarantine(-1, 0, length, "not a CloudTrail log file: the body is not a JSON object",
            head(bytes, length));
        return;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (!"Records".equals(name) || v != JsonToken.START_ARRAY) {
          p.skipChildren();
          continue;
        }
        sawRecords = true;
        JsonToken r;
        while ((r = p.nextToken()) != JsonToken.END_ARRAY) {
          recordStart = p.currentTokenLocation().getByteOffset();
          if (r != JsonToken.START_OBJECT) {
            String raw = reader.slice(p, r, recordStart);
            long end = p.currentLocation().getByteOffset();
            sink.quarantineRecord(position++, recordStart, end - recordStart,
                "record is not a JSON object", raw);
            continue;
          }
          Object[] record = reader.readObject(p, CloudTrailTable.RECORD);
          if (record[EVENT_TIME] == null) {
            long end = p.currentLocation().getByteOffset();
            String raw = reader.text(recordStart, end);
            sink.quarantineRecord(position++, recordStart, end - recordStart,
                "record has no valid eventTime", raw);
            continue;
          }
          sink.record(position++, CloudTrailDerived.complete(record, file));
        }
        recordStart = p.currentLocation().getByteOffset();
      }
      if (t != JsonToken.END_OBJECT) {
        throw new JsonParseException(p, "unexpected token " + t);
      }
      if (!sawRecords) {
        sink.quarantine(-1, 0, length, "not a CloudTrail log file: no \"Records\" array",
            head(bytes, length));
      }
    } catch (JsonProcessingException e) {
      String what = e.getOriginalMessage();
      long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
      String reason = (what != null && what.contains("end-of-input") ? "truncated JSON" : "invalid JSON")
          + " at byte " + at + " (" + firstLine(what) + "); " + position
          + " records before it were kept";
      int start = (int) Math.min(recordStart, length);
      sink.quarantine(sawRecords ? position : -1, start, length - start, reason,
          new String(bytes, start, length - start, StandardCharsets.UTF_8));
    } catch (IOException e) {
      // a byte-array parser raises no other I/O error than bad content
      sink.quarantine(position, recordStart, length - recordStart, "unreadable JSON: " + e.getMessage(),
          head(bytes, length));
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String head(byte[] bytes, int length) {
    return new String(bytes, 0, Math.min(length, 1 << 16), StandardCharsets.UTF_8);
  }

}
