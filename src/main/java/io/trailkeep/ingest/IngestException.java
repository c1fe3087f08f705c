package io.trailkeep.ingest;

import io.trailkeep.job.JobFailedException;

/** An ingest failure that is not the user's input: storage unreachable, a failed commit. Exit 1. */
public class IngestException extends JobFailedException {
  private static final long serialVersionUID = 1L;

  public IngestException(String message, Throwable cause) {
    super(message, cause);
  }
}
