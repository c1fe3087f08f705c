package io.trailkeep.job;

import io.trailkeep.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The immutable outcome of a job, implemented by a record: its components, in order and in
 * snake_case, are the --json summary and the {@code result} column of run_history.
 */
public interface JobResult {

  /** The job's name, the summary's first key ({@code "job": "ingest"}). */
  String job();

  /**
   * {@code succeeded}, or {@code partial} when the job finished but some of its items failed (the
   * result says which); recorded in run_history.
   */
  default String status() {
    return "succeeded";
  }

  /** Summary fields in output order: {@code job}, then the record's components. */
  default Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job", job());
    if (this instanceof Record) {
      m.putAll(Json.fields((Record) this));
    }
    return m;
  }
}
