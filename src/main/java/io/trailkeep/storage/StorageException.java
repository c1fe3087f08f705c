package io.trailkeep.storage;

/** Storage that cannot be listed or read (S3 unreachable after retries, a failing file system). */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
