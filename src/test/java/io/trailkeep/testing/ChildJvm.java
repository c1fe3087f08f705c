package io.trailkeep.testing;

import io.trailkeep.cli.Main;
import io.trailkeep.job.CrashPoints;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TrailKeep CLI of this build in a child JVM (this JVM's class path and module options, a
 * 1 GiB heap, the launcher's logging configuration {@code conf/log4j2.properties}), stopped at a named {@link CrashPoints crash point} so that a test can look at the
 * lake at exactly that moment and then kill the process with SIGKILL.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final List<String> output = new ArrayList<>();

  private ChildJvm(Process process) {
    this.process = process;
  }

  private static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-XX:+IgnoreUnrecognized")
          || arg.startsWith("-Djdk.reflect") || arg.startsWith("-Dio.netty") || arg.startsWith("-Duser.")) {
        cmd.add(arg);
      }
    }
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    // C1 only: a short-lived child spends most of its life compiling otherwise
    cmd.addAll(List.of("-Xmx1g", "-XX:TieredStopAtLevel=1",
        // the logging the launcher (jobs/trailkeep) gives a user's terminal
        "-Dlog4j2.configurationFile=" + Path.of("conf/log4j2.properties").toAbsolutePath(),
        "-cp", cp, Main.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Starts {@code trailkeep args...} with {@code point} armed and returns once the child has
   * paused there. Fails with the child's output when it exits or does not get there in 5 minutes.
   */
  public static ChildJvm pausedAt(String point, String... args) {
    ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true);
    pb.environment().put(CrashPoints.ENV, point);
    ChildJvm child;
    try {
      child = new ChildJvm(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    BufferedReader r = new BufferedReader(new InputStreamReader(child.process.getInputStream(),
        StandardCharsets.UTF_8));
    Thread reader = new Thread(() -> {
      try {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (child.output) {
            child.output.add(line);
            child.output.notifyAll();
          }
        }
      } catch (IOException e) {
        // the child was killed
      }
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    synchronized (child.output) {
      while (true) {
        for (String line : child.output) {
          if (line.equals(CrashPoints.MARKER + point)) {
            return child;
          }
        }
        if (!child.process.isAlive() || System.nanoTime() > deadline) {
          child.close();
          throw new AssertionError("the child never paused at " + point + "; its output:\n"
              + String.join("\n", child.output));
        }
        try {
          child.output.wait(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** What the child printed so far (stdout and stderr), line by line. */
  public List<String> output() {
    synchronized (output) {
      return List.copyOf(output);
    }
  }

  /** Kills the child with SIGKILL and waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(1, TimeUnit.MINUTES)) {
        throw new AssertionError("the child did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
