package io.trailkeep.testing;

import io.trailkeep.ingest.RecordSink;
import java.util.ArrayList;
import java.util.List;

/** Collects what a parser emits, in order, for format tests that run without Spark. */
public class CollectingSink implements RecordSink {
  public final List<Object[]> records = new ArrayList<>();
  public final List<Integer> positions = new ArrayList<>();
  /** [position, reason, raw text, "record" or "file"] per quarantine call. */
  public final List<String[]> quarantined = new ArrayList<>();

  @Override
  public void record(int position, Object[] values) {
    records.add(values);
    positions.add(position);
  }

  @Override
  public void quarantineRecord(int position, long offset, long length, String reason, String rawText) {
    quarantined.add(new String[] {String.valueOf(position), reason, rawText, "record"});
  }

  @Override
  public void quarantine(int position, long offset, long length, String reason, String rawText) {
    quarantined.add(new String[] {String.valueOf(position), reason, rawText, "file"});
  }
}
