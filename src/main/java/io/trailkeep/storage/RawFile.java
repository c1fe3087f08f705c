package io.trailkeep.storage;

import io.trailkeep.storage.AwsLogKeys.Kind;
import java.io.Serializable;
import java.time.LocalDate;

/**
 * One raw object found by discovery: where it is, its size and modification time, and what its
 * key says ({@link AwsLogKeys#parse}: kind, organization, account, region, delivery day). Never
 * read to classify. Immutable.
 */
public final class RawFile implements Serializable {
  private static final long serialVersionUID = 2L;

  public final String path;
  public final long size;
  public final long modificationTime;
  public final Kind kind;
  public final String orgId;
  public final String accountId;
  public final String region;
  public final LocalDate deliveryDate;

  private RawFile(String path, long size, long modificationTime, AwsLogKeys.LogKey key) {
    this.path = path;
    this.size = size;
    this.modificationTime = modificationTime;
    this.kind = key.kind();
    this.orgId = key.orgId();
    this.accountId = key.accountId();
    this.region = key.region();
    this.deliveryDate = key.day();
  }

  /** Classifies an object by its full path; never reads it. */
  public static RawFile classify(String path, long size, long modificationTime) {
    return new RawFile(path, size, modificationTime, AwsLogKeys.parse(path));
  }

  /** The file name (last path segment). */
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  @Override
  public String toString() {
    return kind.label() + ":" + path;
  }
}
