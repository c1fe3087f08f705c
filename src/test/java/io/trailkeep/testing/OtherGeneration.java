package io.trailkeep.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the TrailKeep CLI of the other Spark generation (3.5 when these tests run on 4, and the
 * other way round) in a child JVM, building its jar first when it is missing. Used to prove that
 * tables written by one generation are readable and appendable by the other.
 */
public final class OtherGeneration {
  private OtherGeneration() {}

  /** The generation these tests were built for ("3.5" or "4"). */
  public static String current() {
    return System.getProperty("spark.generation", "3.5");
  }

  public static String other() {
    return current().equals("4") ? "3.5" : "4";
  }

  /** Output of one CLI run. */
  public static final class Result {
    public final int code;
    public final String stdout;
    public final String stderr;

    Result(int code, String stdout, String stderr) {
      this.code = code;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    public String lastLine() {
      String[] lines = stdout.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  /**
   * Runs {@code jobs/trailkeep --spark <other> args...}: the user's launcher, with the JVM flags
   * Spark needs, on the other generation's job jar as {@code jobs/build-jars} built it (the launcher
   * is told not to build: a missing or stale jar fails with the command that builds it).
   */
  public static Result cli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get("jobs", "trailkeep").toAbsolutePath().toString());
    cmd.add("--spark");
    cmd.add(other());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("other-gen", ".out");
    Path err = Files.createTempFile("other-gen", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("TRAILKEEP_DRIVER_MEMORY", "1g");
    // tests never start Maven: .ci/run (jobs/build-jars) builds both job jars before the suites
    pb.environment().put("TRAILKEEP_NO_BUILD", "1");
    Process p = pb.start();
    if (!p.waitFor(20, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("other-generation CLI timed out: " + String.join(" ", args));
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

}
