package io.trailkeep.conf;

/**
 * A user error in configuration or arguments: the message names the problem and the fix. The CLI
 * prints it on one line and exits with status 2, without a stack trace.
 */
public class ConfException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfException(String message) {
    super(message);
  }
}
