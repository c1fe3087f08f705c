package io.trailkeep.job;

import java.util.Map;

/**
 * The immutable outcome of a job: named counts and facts, in a stable order, that are logged,
 * printed as the --json summary and stored in the run_history table.
 */
public interface JobResult {

  /** Summary fields in output order; values are numbers, strings, booleans, lists or maps. */
  Map<String, Object> toMap();
}
