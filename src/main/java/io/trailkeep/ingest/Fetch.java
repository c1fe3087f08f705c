package io.trailkeep.ingest;

import io.trailkeep.storage.RawFile;
import io.trailkeep.storage.SerializableHadoopConf;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * Fetches a batch's raw objects into executors, each exactly once, and keeps their stored (usually
 * gzip) bytes cached for the parse passes: parsing again from this cache costs less than caching
 * wide rows. Counts what it really read: objects opened and stored bytes fetched (Spark
 * accumulators, so a fetch repeated after a lost cache block is counted again).
 *
 * <p>Cost: one read per object, memory the batch's stored size (spilled to disk when short).
 */
final class Fetch {
  private Fetch() {}

  /** One raw file as stored, or why it could not be fetched. */
  record RawBlob(RawFile file, byte[] stored, String missing, boolean cut) implements Serializable {}

  /** The cached blobs and the counters of the reads that filled them. */
  record Fetched(JavaRDD<RawBlob> blobs, LongAccumulator objectsRead, LongAccumulator bytesRead) {
    void release() {
      blobs.unpersist(false);
    }
  }

  /** Plans (lazily) the fetch of {@code files} in {@code slices} tasks; cached on first use. */
  static Fetched plan(JavaSparkContext jsc, List<RawFile> files, int slices, long maxFileBytes) {
    Broadcast<SerializableHadoopConf> hconf =
        jsc.broadcast(new SerializableHadoopConf(jsc.hadoopConfiguration()));
    LongAccumulator objects = jsc.sc().longAccumulator("trailkeep.objects_read");
    LongAccumulator bytes = jsc.sc().longAccumulator("trailkeep.bytes_read");
    JavaRDD<RawBlob> blobs = jsc.parallelize(files, slices)
        .map(new ReadFile(hconf, maxFileBytes, objects, bytes))
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new Fetched(blobs, objects, bytes);
  }

  /** Executor side: fetches one raw file's stored bytes, at most the size cap. */
  static final class ReadFile implements Function<RawFile, RawBlob> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<SerializableHadoopConf> hconf;
    private final long maxFileBytes;
    private final LongAccumulator objects;
    private final LongAccumulator bytes;

    ReadFile(Broadcast<SerializableHadoopConf> hconf, long maxFileBytes, LongAccumulator objects,
        LongAccumulator bytes) {
      this.hconf = hconf;
      this.maxFileBytes = maxFileBytes;
      this.objects = objects;
      this.bytes = bytes;
    }

    @Override
    public RawBlob call(RawFile file) {
      Path path = new Path(file.path);
      int cap = (int) Math.min(maxFileBytes, Integer.MAX_VALUE - 16);
      try (InputStream in = path.getFileSystem(hconf.value().get()).open(path, 1 << 16)) {
        objects.add(1);
        byte[] stored = in.readNBytes(cap);
        boolean cut = stored.length == cap && in.read() >= 0;
        bytes.add(stored.length);
        return new RawBlob(file, stored, null, cut);
      } catch (FileNotFoundException e) {
        return new RawBlob(file, null, e.getMessage(), false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file.path + ": " + e.getMessage(), e);
      }
    }
  }
}
