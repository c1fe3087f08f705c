package io.trailkeep.job;

/** A job that could not complete for a reason other than a user error; the CLI exits with 1. */
public class JobFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  public JobFailedException(String message) {
    super(message);
  }
}
