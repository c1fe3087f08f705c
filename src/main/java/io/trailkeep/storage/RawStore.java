package io.trailkeep.storage;

import java.util.List;
import java.util.function.Consumer;

/**
 * Listing of a raw root, one implementation per storage: {@link HadoopRawStore} (local folders and
 * any Hadoop file system) and {@code s3.S3RawStore} (the AWS SDK, with StartAfter and request
 * counts). Discovery walks the AWS layout through this interface only. Implementations must be
 * thread-safe: discovery lists prefixes in parallel.
 */
public interface RawStore extends AutoCloseable {

  /** One listed object. */
  final class Entry {
    public final String path;
    public final long size;
    public final long modificationTime;

    public Entry(String path, long size, long modificationTime) {
      this.path = path;
      this.size = size;
      this.modificationTime = modificationTime;
    }
  }

  /** The root as given, without a trailing slash. */
  String root();

  /** Whether {@code dir} (a path ending in "/") has anything under it. */
  boolean exists(String dir);

  /** Immediate sub-directories of {@code dir}, each ending in "/". */
  List<String> childDirs(String dir);

  /**
   * Objects under {@code dir} (recursively), in key order, after {@code startAfter} when it is
   * not null.
   */
  void listFiles(String dir, String startAfter, Consumer<Entry> out);

  /** LIST requests (or directory listings) made so far. */
  long listRequests();

  @Override
  default void close() {}
}
