package io.trailkeep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    String last = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        last = line;
      }
      int code = p.waitFor();
      double seconds = (System.nanoTime() - t0) / 1e9;
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
