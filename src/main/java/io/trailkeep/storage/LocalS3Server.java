package io.trailkeep.storage;

import io.trailkeep.conf.ConfException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An S3-compatible server (s3proxy) on 127.0.0.1, run as a separate JVM so its libraries never
 * meet Spark's. Signature checking is on (AWS v2/v4 with the identity below). Backed by a folder
 * (survives restarts) or by memory. Used by the tests and by {@code demo --s3}; never by jobs
 * against real S3. Starting costs about 1.5 s.
 */
public final class LocalS3Server implements AutoCloseable {
  /** Access key of the local server; not a secret (the server only listens on loopback). */
  public static final String IDENTITY = "trailkeep-local";
  public static final String CREDENTIAL = "trailkeep-local-secret";

  private final Process process;
  private final int port;
  private final Path log;

  private LocalS3Server(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts a server; {@code dataDir} null means in-memory. */
  public static LocalS3Server start(Path dataDir) {
    Path jar = locateJar();
    try {
      int port = freePort();
      Path conf = Files.createTempFile("s3proxy", ".properties");
      List<String> lines = new ArrayList<>(List.of(
          "s3proxy.endpoint=http://127.0.0.1:" + port,
          "s3proxy.authorization=aws-v2-or-v4",
          "s3proxy.identity=" + IDENTITY,
          "s3proxy.credential=" + CREDENTIAL,
          "jclouds.identity=local",
          "jclouds.credential=local"));
      if (dataDir == null) {
        lines.add("jclouds.provider=transient");
      } else {
        Files.createDirectories(dataDir);
        lines.add("jclouds.provider=filesystem");
        lines.add("jclouds.filesystem.basedir=" + dataDir.toAbsolutePath());
      }
      Files.write(conf, lines);
      Path log = Files.createTempFile("s3proxy", ".log");
      String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-Xmx512m", "-jar", jar.toString(), "--properties",
          conf.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      LocalS3Server server = new LocalS3Server(p, port, log);
      server.awaitUp();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the local S3 server: " + e.getMessage(), e);
    }
  }

  private static Path locateJar() {
    List<Path> candidates = new ArrayList<>();
    String prop = System.getProperty("trailkeep.s3proxy.jar");
    if (prop != null) {
      candidates.add(Paths.get(prop));
    }
    String home = System.getProperty("trailkeep.home");
    if (home != null) {
      candidates.add(Paths.get(home, "target", "s3proxy", "s3proxy.jar"));
      candidates.add(Paths.get(home, "target-spark4", "s3proxy", "s3proxy.jar"));
    }
    candidates.add(Paths.get("target", "s3proxy", "s3proxy.jar"));
    for (Path c : candidates) {
      if (Files.isRegularFile(c)) {
        return c;
      }
    }
    throw new ConfException("the local S3 server (s3proxy.jar) is missing; run 'mvn -B -DskipTests "
        + "package' in the TrailKeep checkout, which downloads it to target/s3proxy/");
  }

  private void awaitUp() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the local S3 server exited at start; see " + log);
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    throw new IllegalStateException("the local S3 server did not start within 60 s; see " + log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Kills the server at once (fault tests). */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }
}
