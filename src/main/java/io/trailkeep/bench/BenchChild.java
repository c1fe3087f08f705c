package io.trailkeep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.json.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A bench measurement in a fresh child JVM with a 1 GiB heap: this JVM's class path and options
 * (no debugger or agent), {@code main} with {@code args}; the child prints one JSON line last.
 * Its stderr goes to {@code log}.
 *
 * @param json the child's last line, or null when it failed ({@code error} says why)
 * @param processSeconds wall time of the whole process, JVM and Spark start included
 */
record BenchChild(JsonNode json, double processSeconds, String error) {
  /** The longest a child may run (the 5 GB memory set takes about two minutes on 2 cores). */
  static final int TIMEOUT_MINUTES = 60;

  static BenchChild run(Class<?> main, List<String> args, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-Xmx") && !arg.startsWith("-Xms") && !arg.startsWith("-agentlib")
          && !arg.startsWith("-javaagent") && !arg.startsWith("-Xrunjdwp")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(args);
    long t0 = System.nanoTime();
    Path out = Path.of(log + ".out");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).redirectOutput(out.toFile()).start();
    try {
      // bounded: a child that hangs is ended and reported, not waited for forever
      if (!p.waitFor(TIMEOUT_MINUTES, java.util.concurrent.TimeUnit.MINUTES)) {
        p.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        return new BenchChild(null, (System.nanoTime() - t0) / 1e9,
            "child did not finish within " + TIMEOUT_MINUTES + " minutes; see " + log);
      }
      int code = p.exitValue();
      double seconds = (System.nanoTime() - t0) / 1e9;
      List<String> lines = java.nio.file.Files.readAllLines(out, StandardCharsets.UTF_8);
      String last = lines.isEmpty() ? null : lines.get(lines.size() - 1);
      if (code != 0 || last == null || !last.startsWith("{")) {
        return new BenchChild(null, seconds, "child exited " + code + "; see " + log);
      }
      return new BenchChild(Json.parse(last), seconds, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while the child ran", e);
    }
  }
}
