package io.trailkeep.integrity;

import io.trailkeep.json.Json;
import io.trailkeep.storage.AwsLogKeys;
import io.trailkeep.storage.RawFile;
import io.trailkeep.storage.S3Clients;
import io.trailkeep.storage.SerializableHadoopConf;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The executor side of digest validation: listing day folders, reading and verifying digests,
 * hashing log files. Each object is read once, in a task; the driver sees only rows.
 */
final class DigestScan {
  private DigestScan() {}

  /** A listed object: where it is, its key within the bucket, what it is, its account and region. */
  static final StructType LISTED = DataTypes.createStructType(new StructField[] {
      field("path", DataTypes.StringType), field("object_key", DataTypes.StringType),
      field("kind", DataTypes.StringType), field("account_id", DataTypes.StringType),
      field("region", DataTypes.StringType), field("delivered", DataTypes.TimestampType),
      field("day", DataTypes.DateType)});

  static final StructType LOG_ENTRY = DataTypes.createStructType(new StructField[] {
      field("object_key", DataTypes.StringType), field("sha256", DataTypes.StringType)});

  /** A read digest with its own verdict on signature and key, and the logs it lists. */
  static final StructType DIGEST = DataTypes.createStructType(new StructField[] {
      field("path", DataTypes.StringType), field("object_key", DataTypes.StringType),
      field("account_id", DataTypes.StringType), field("region", DataTypes.StringType),
      field("trail", DataTypes.StringType), field("start", DataTypes.TimestampType),
      field("end", DataTypes.TimestampType), field("prev_key", DataTypes.StringType),
      field("prev_sig", DataTypes.StringType), field("signature", DataTypes.StringType),
      field("fingerprint", DataTypes.StringType), field("status", DataTypes.StringType),
      field("detail", DataTypes.StringType), field("signing", DataTypes.StringType),
      field("logs", DataTypes.createArrayType(LOG_ENTRY, false))});

  static final StructType HASHED = DataTypes.createStructType(new StructField[] {
      field("path", DataTypes.StringType), field("actual_sha256", DataTypes.StringType)});

  private static StructField field(String name, DataType type) {
    return DataTypes.createStructField(name, type, true);
  }

  /** The key of {@code path} within its bucket: the S3 key, or the path below a local raw root. */
  static String objectKey(String path, String rawRoot) {
    if (S3Clients.isS3(path)) {
      return S3Clients.bucketAndKey(path)[1];
    }
    String p = new Path(path).toUri().getPath();
    String root = new Path(rawRoot).toUri().getPath();
    root = root.endsWith("/") ? root : root + "/";
    return p.startsWith(root) ? p.substring(root.length()) : p;
  }

  /** Lists the files of day folders (not recursive): CloudTrail logs and digests. */
  static final class ListDays implements FlatMapFunction<Iterator<String>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<SerializableHadoopConf> hconf;
    private final String rawRoot;

    ListDays(Broadcast<SerializableHadoopConf> hconf, String rawRoot) {
      this.hconf = hconf;
      this.rawRoot = rawRoot;
    }

    @Override
    public Iterator<Row> call(Iterator<String> days) throws IOException {
      List<Row> out = new ArrayList<>();
      while (days.hasNext()) {
        Path dir = new Path(days.next());
        FileSystem fs = dir.getFileSystem(hconf.value().get());
        FileStatus[] children;
        try {
          children = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
          continue;
        }
        for (FileStatus s : children) {
          if (s.isDirectory()) {
            continue;
          }
          String path = s.getPath().toString();
          RawFile f = RawFile.classify(path, s.getLen(), s.getModificationTime());
          String kind = f.kind == AwsLogKeys.Kind.CLOUDTRAIL ? "log"
              : f.kind == AwsLogKeys.Kind.CLOUDTRAIL_DIGEST ? "digest" : null;
          if (kind == null) {
            continue;
          }
          AwsLogKeys.LogKey k = AwsLogKeys.parse(path);
          out.add(RowFactory.create(path, objectKey(path, rawRoot), kind, f.accountId, f.region,
              k.time() == null ? null : Timestamp.from(k.time()),
              f.deliveryDate == null ? null : Date.valueOf(f.deliveryDate)));
        }
      }
      return out.iterator();
    }
  }

  /** Reads each digest, finds its signature, verifies it, and lists its log files. */
  static final class ReadDigests implements FlatMapFunction<Iterator<String>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<SerializableHadoopConf> hconf;
    private final Broadcast<PublicKeys> keys;

    ReadDigests(Broadcast<SerializableHadoopConf> hconf, Broadcast<PublicKeys> keys) {
      this.hconf = hconf;
      this.keys = keys;
    }

    @Override
    public Iterator<Row> call(Iterator<String> paths) throws IOException {
      List<Row> out = new ArrayList<>();
      while (paths.hasNext()) {
        out.add(read(paths.next()));
      }
      return out.iterator();
    }

    private Row read(String pathText) throws IOException {
      Path path = new Path(pathText);
      FileSystem fs = path.getFileSystem(hconf.value().get());
      AwsLogKeys.LogKey key = AwsLogKeys.parse(pathText);
      byte[] body;
      try (InputStream in = fs.open(path)) {
        body = gunzip(in.readAllBytes());
      }
      DigestFile d;
      try {
        d = DigestFile.parse(body);
      } catch (IllegalArgumentException e) {
        return RowFactory.create(pathText, null, key.accountId(), key.region(), key.trail(), null,
            null, null, null, null, null, "bad_signature", "not a readable digest: " + e.getMessage(),
            null, new Row[0]);
      }
      String signature = signature(fs, path);
      String signing = DigestSignature.signingString(DigestFile.endTimeText(body), d.bucket(),
          d.objectKey(), body, d.previousSignature());
      String status = verdict(keys.value(), d.fingerprint(), signing, signature);
      String detail = detail(status, d.fingerprint(), "object metadata");
      List<Row> logs = new ArrayList<>();
      for (DigestFile.LogEntry e : d.logFiles()) {
        logs.add(RowFactory.create(e.objectKey(), e.sha256()));
      }
      return RowFactory.create(pathText, d.objectKey(), key.accountId(), key.region(), key.trail(),
          Timestamp.from(d.start()), Timestamp.from(d.end()), d.previousKey(), d.previousSignature(),
          signature, d.fingerprint(), status, detail, signing, logs.toArray(new Row[0]));
    }

    /** The signature: S3 object metadata (via s3a's header attributes), or the local sidecar. */
    private static String signature(FileSystem fs, Path digest) throws IOException {
      Path sidecar = new Path(digest.toString() + AwsLogKeys.DIGEST_SIDECAR_SUFFIX);
      if (fs.exists(sidecar)) {
        try (InputStream in = fs.open(sidecar)) {
          return Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8))
              .path("x-amz-meta-" + DigestSignature.META_SIGNATURE).asText(null);
        }
      }
      try {
        // s3a exposes the object's user metadata as attributes "header.<name>" (Hadoop 3.3+)
        Map<String, byte[]> attrs = fs.getXAttrs(digest);
        for (String name : new String[] {"header." + DigestSignature.META_SIGNATURE,
            "header.x-amz-meta-" + DigestSignature.META_SIGNATURE}) {
          byte[] v = attrs.get(name);
          if (v != null && v.length > 0) {
            return new String(v, StandardCharsets.UTF_8);
          }
        }
        return null;
      } catch (UnsupportedOperationException | IOException e) {
        return null;
      }
    }
  }

  /**
   * A digest's verdict on its key and signature: {@code unknown_key}, {@code unsigned} (no
   * signature to check), {@code bad_signature} or {@code valid}.
   */
  static String verdict(PublicKeys keys, String fingerprint, String signing, String signature) {
    PublicKeys.Entry k = keys.get(fingerprint);
    if (k == null) {
      return "unknown_key";
    }
    if (signature == null) {
      return "unsigned";
    }
    return DigestSignature.verify(k.key(), signing, signature) ? "valid" : "bad_signature";
  }

  static String detail(String verdict, String fingerprint, String where) {
    switch (verdict) {
      case "unknown_key":
        return "no public key with fingerprint " + fingerprint;
      case "unsigned":
        return "no signature in " + where;
      case "bad_signature":
        return "the signature (from " + where + ") does not verify with key " + fingerprint;
      default:
        return null;
    }
  }

  /**
   * Verifies digests whose object carries no signature with the signature their successor names
   * ({@code previousDigestSignature}), as AWS's validator does for every digest but the newest.
   * Input rows: the digest row plus {@code next_sig}; output: the same row, status and detail set.
   */
  static final class VerifyWithSuccessor implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<PublicKeys> keys;

    VerifyWithSuccessor(Broadcast<PublicKeys> keys) {
      this.keys = keys;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      List<Row> out = new ArrayList<>();
      while (rows.hasNext()) {
        Row r = rows.next();
        int statusAt = r.fieldIndex("status");
        if (!"unsigned".equals(r.getString(statusAt))) {
          out.add(r);
          continue;
        }
        String fingerprint = r.getString(r.fieldIndex("fingerprint"));
        String nextSig = r.getString(r.fieldIndex("next_sig"));
        String status = nextSig == null ? "bad_signature"
            : verdict(keys.value(), fingerprint, r.getString(r.fieldIndex("signing")), nextSig);
        String detail = nextSig == null
            ? "no signature in object metadata, and no successor names it"
            : detail(status, fingerprint, "the next digest's previousDigestSignature");
        Object[] values = new Object[r.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = r.get(i);
        }
        values[statusAt] = status;
        values[r.fieldIndex("detail")] = detail;
        out.add(RowFactory.create(values));
      }
      return out.iterator();
    }
  }

  /** SHA-256 over each log file's uncompressed content; null when the file is gone. */
  static final class HashLogs implements FlatMapFunction<Iterator<String>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<SerializableHadoopConf> hconf;

    HashLogs(Broadcast<SerializableHadoopConf> hconf) {
      this.hconf = hconf;
    }

    @Override
    public Iterator<Row> call(Iterator<String> paths) throws IOException {
      List<Row> out = new ArrayList<>();
      while (paths.hasNext()) {
        String p = paths.next();
        Path path = new Path(p);
        String hash;
        try (InputStream in = path.getFileSystem(hconf.value().get()).open(path, 1 << 16)) {
          hash = sha256OfGunzip(in);
        } catch (FileNotFoundException e) {
          hash = null;
        }
        out.add(RowFactory.create(p, hash));
      }
      return out.iterator();
    }
  }

  static byte[] gunzip(byte[] stored) throws IOException {
    if (stored.length < 2 || (stored[0] & 0xff) != 0x1f || (stored[1] & 0xff) != 0x8b) {
      return stored;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
      return in.readAllBytes();
    }
  }

  /** SHA-256 (hex) of the uncompressed content, streamed; damaged gzip hashes what decodes. */
  static String sha256OfGunzip(InputStream stored) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    BufferedInputStream raw = new BufferedInputStream(stored, 1 << 16);
    raw.mark(2);
    int b1 = raw.read();
    int b2 = raw.read();
    raw.reset();
    InputStream in = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
    byte[] buf = new byte[1 << 16];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    } catch (ZipException | EOFException e) {
      // damaged compression: the hash of what decoded will not match, which is the verdict
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static UncheckedIOException unchecked(IOException e) {
    return new UncheckedIOException(e);
  }
}
