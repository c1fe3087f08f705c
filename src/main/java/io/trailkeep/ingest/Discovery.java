package io.trailkeep.ingest;

import io.trailkeep.conf.ConfException;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.ManifestTable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Finds raw objects under the raw root ({@code AWSLogs/...}, local or s3a) that the manifest does
 * not list yet, and classifies them by key. Listing is recursive under {@code <raw>/AWSLogs}; the
 * manifest comparison is a distributed anti-join, so the driver never holds the whole history.
 */
public final class Discovery {
  private final Lake lake;

  public Discovery(Lake lake) {
    this.lake = lake;
  }

  /** Counts from one discovery, for the summary. */
  public static final class Found {
    public final List<RawFile> newFiles;
    public final long filesSeen;
    public final long listRequests;

    Found(List<RawFile> newFiles, long filesSeen, long listRequests) {
      this.newFiles = newFiles;
      this.filesSeen = filesSeen;
      this.listRequests = listRequests;
    }
  }

  /** Lists {@code rawRoot} and returns the files not in the manifest. */
  public Found discover(String rawRoot) {
    List<RawFile> all = list(rawRoot);
    if (all.isEmpty() || !lake.exists(ManifestTable.NAME)) {
      return new Found(all, all.size(), 1);
    }
    List<String> paths = new ArrayList<>(all.size());
    for (RawFile f : all) {
      paths.add(f.path);
    }
    Dataset<Row> listed = lake.spark().createDataset(paths, org.apache.spark.sql.Encoders.STRING())
        .toDF("path");
    Dataset<Row> known = lake.read(ManifestTable.NAME).select("path");
    Set<String> fresh = new HashSet<>();
    for (Row r : listed.join(known, listed.col("path").equalTo(known.col("path")), "left_anti")
        .select(listed.col("path").cast(DataTypes.StringType)).collectAsList()) {
      fresh.add(r.getString(0));
    }
    List<RawFile> out = new ArrayList<>();
    for (RawFile f : all) {
      if (fresh.contains(f.path)) {
        out.add(f);
      }
    }
    return new Found(out, all.size(), 1);
  }

  private List<RawFile> list(String rawRoot) {
    Path root = new Path(rawRoot);
    List<RawFile> out = new ArrayList<>();
    try {
      FileSystem fs = root.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        throw new ConfException("raw root " + rawRoot + " does not exist; pass --raw with the folder "
            + "or s3a:// prefix that holds AWSLogs/ (or run 'trailkeep generate' first)");
      }
      Path awsLogs = new Path(root, "AWSLogs");
      Path start = fs.exists(awsLogs) ? awsLogs : root;
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(start, true);
      while (it.hasNext()) {
        LocatedFileStatus s = it.next();
        String name = s.getPath().getName();
        if (name.startsWith(".") || name.startsWith("_")) {
          continue;
        }
        out.add(RawFile.classify(s.getPath().toString(), s.getLen(), s.getModificationTime()));
      }
    } catch (FileNotFoundException e) {
      throw new ConfException("raw root " + rawRoot + " does not exist: " + e.getMessage());
    } catch (org.apache.hadoop.security.AccessControlException e) {
      throw new ConfException("no permission to list " + rawRoot + ": " + e.getMessage());
    } catch (IOException e) {
      throw new IngestException("cannot list " + rawRoot + ": " + e.getMessage(), e);
    }
    out.sort((a, b) -> a.path.compareTo(b.path));
    return out;
  }
}
