package io.trailkeep.ingest;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads one raw object, gunzipped when it starts with the gzip magic bytes, into a buffer that is
 * reused across files of one task. Memory per task is the largest decompressed file, capped by
 * {@code maxBytes}. A damaged stream does not throw: the bytes decoded before the damage are kept
 * and {@link #error()} says what went wrong, so the caller can land what was readable and
 * quarantine the rest. Not thread-safe; one instance per task.
 */
public final class RawBytes {
  private byte[] buf = new byte[1 << 20];
  private int length;
  private String error;
  private boolean truncatedBySize;
  private long compressedBytes;

  /** True when bytes {@code [start, end)} are only spaces, tabs or carriage returns. */
  public static boolean isBlank(byte[] b, int start, int end) {
    for (int i = start; i < end; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  /** Decompressed bytes; valid up to {@link #length()}. */
  public byte[] buffer() {
    return buf;
  }

  public int length() {
    return length;
  }

  /** Why decoding stopped early, or null when the whole object was read. */
  public String error() {
    return error;
  }

  /** True when the object exceeded the size cap. */
  public boolean truncatedBySize() {
    return truncatedBySize;
  }

  /** Bytes fetched from storage (compressed size). */
  public long compressedBytes() {
    return compressedBytes;
  }

  /**
   * Reads an object's stored bytes from {@code source} (closed here); {@code name} is its file
   * name, which says whether gzip is expected. Never throws for content problems; I/O failures of
   * the source are thrown.
   */
  public void read(InputStream source, String name, long maxBytes) throws IOException {
    length = 0;
    error = null;
    truncatedBySize = false;
    CountingStream counted = new CountingStream(source);
    try (InputStream raw = new BufferedInputStream(counted, 1 << 16)) {
      raw.mark(2);
      int b1 = raw.read();
      int b2 = raw.read();
      raw.reset();
      boolean gzip = b1 == 0x1f && b2 == 0x8b;
      if (!gzip && name.endsWith(".gz")) {
        error = "not in gzip format although the name ends in .gz";
        fill(raw, maxBytes);
        return;
      }
      if (!gzip) {
        fill(raw, maxBytes);
        return;
      }
      InputStream in;
      try {
        in = new GZIPInputStream(raw, 1 << 16);
      } catch (IOException e) {
        error = "corrupt gzip header: " + e.getMessage();
        return;
      }
      try {
        fill(in, maxBytes);
      } catch (IOException e) {
        if (isStorageFailure(e)) {
          throw e;
        }
        error = "corrupt gzip stream after " + length + " decompressed bytes: " + e.getMessage();
      }
    } finally {
      compressedBytes = counted.count;
    }
  }

  private static boolean isStorageFailure(IOException e) {
    // Decompression problems are ZipException/EOFException; anything else is the storage talking.
    return !(e instanceof ZipException) && !(e instanceof EOFException);
  }

  private void fill(InputStream in, long maxBytes) throws IOException {
    long cap = Math.min(maxBytes, Integer.MAX_VALUE - 16);
    while (true) {
      if (length >= cap) {
        // at the cap: one more byte means the object is larger than allowed
        if (in.read() >= 0) {
          truncatedBySize = true;
          error = "larger than ingest.max-file-bytes (" + maxBytes + " bytes decompressed)";
        }
        return;
      }
      if (length == buf.length) {
        long next = Math.min(Math.max((long) buf.length * 2, 1 << 20), cap);
        buf = Arrays.copyOf(buf, (int) next);
      }
      int n = in.read(buf, length, (int) Math.min(buf.length, cap) - length);
      if (n < 0) {
        return;
      }
      length += n;
    }
  }

  /** Marks the object as cut at the size cap before it was decoded (see {@link #read}). */
  public void markTruncatedBySize(long maxBytes) {
    truncatedBySize = true;
    error = "larger than ingest.max-file-bytes (" + maxBytes + " bytes)";
  }

  /** Shrinks the buffer back after an unusually large file so one outlier does not pin memory. */
  public void trim() {
    if (buf.length > (64 << 20)) {
      buf = new byte[1 << 20];
    }
  }

  private static final class CountingStream extends FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
