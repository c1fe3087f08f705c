package io.trailkeep.storage;

import io.trailkeep.conf.ConfException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** {@link RawStore} over a Hadoop file system (local folders, HDFS, or s3a without the SDK). */
public final class HadoopRawStore implements RawStore {
  private final String root;
  private final FileSystem fs;
  private final AtomicLong lists = new AtomicLong();

  public HadoopRawStore(String root, Configuration conf) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    try {
      this.fs = new Path(this.root).getFileSystem(conf);
    } catch (IOException e) {
      throw new ConfException("cannot open raw root " + root + ": " + e.getMessage());
    }
  }

  @Override
  public String root() {
    return root;
  }

  @Override
  public boolean exists(String dir) {
    try {
      return fs.exists(new Path(dir));
    } catch (IOException e) {
      throw new StorageException("cannot check " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> childDirs(String dir) {
    List<String> out = new ArrayList<>();
    try {
      lists.incrementAndGet();
      for (FileStatus s : fs.listStatus(new Path(dir))) {
        if (s.isDirectory()) {
          out.add(s.getPath().toString() + "/");
        }
      }
    } catch (FileNotFoundException e) {
      return out;
    } catch (IOException e) {
      throw new StorageException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    out.sort(String::compareTo);
    return out;
  }

  /**
   * Lists recursively with plain {@code listStatus}: {@code FileSystem.listFiles} builds
   * LocatedFileStatus objects, which on the local file system fork a shell per file to read
   * permissions we never use.
   */
  @Override
  public void listFiles(String dir, String startAfter, Consumer<Entry> out) {
    List<Entry> batch = new ArrayList<>();
    ArrayDeque<Path> pending = new ArrayDeque<>();
    pending.add(new Path(dir));
    try {
      while (!pending.isEmpty()) {
        lists.incrementAndGet();
        FileStatus[] children;
        try {
          children = fs.listStatus(pending.poll());
        } catch (FileNotFoundException e) {
          continue;
        }
        for (FileStatus s : children) {
          if (s.isDirectory()) {
            pending.add(s.getPath());
            continue;
          }
          String p = s.getPath().toString();
          if (startAfter == null || p.compareTo(startAfter) > 0) {
            batch.add(new Entry(p, s.getLen(), s.getModificationTime()));
          }
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    batch.sort((a, b) -> a.path.compareTo(b.path));
    batch.forEach(out);
  }

  @Override
  public long listRequests() {
    return lists.get();
  }
}
