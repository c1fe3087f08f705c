package io.trailkeep.job;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Human-readable progress on stderr ("[trailkeep   12.3s] ingest: ..."). Stdout stays free for
 * results and the --json summary. Every message is made terminal-safe ({@link TerminalText}):
 * file names and messages can carry attacker-controlled text. Thread-safe.
 */
public final class Progress {
  private final PrintStream out;
  private final Instant start = Instant.now();
  private final boolean quiet;
  private final Consumer<String> listener;
  private final Duration sparkInterval;

  public Progress(PrintStream out, boolean quiet) {
    this(out, quiet, m -> { }, Duration.ofSeconds(10));
  }

  private Progress(PrintStream out, boolean quiet, Consumer<String> listener, Duration sparkInterval) {
    this.out = out;
    this.quiet = quiet;
    this.listener = listener;
    this.sparkInterval = sparkInterval;
  }

  /** A copy that also hands every message to {@code l} (tests, embedding UIs). */
  public Progress withListener(Consumer<String> l) {
    Consumer<String> previous = listener;
    return new Progress(out, quiet, m -> {
      previous.accept(m);
      l.accept(m);
    }, sparkInterval);
  }

  /**
   * How often a running Spark job of a TrailKeep run reports its tasks, records, rate and time
   * left (default 10 seconds; jobs shorter than that report nothing).
   */
  public Duration sparkInterval() {
    return sparkInterval;
  }

  /** A copy whose Spark jobs report every {@code interval}. */
  public Progress withSparkInterval(Duration interval) {
    return new Progress(out, quiet, listener, interval);
  }

  /** "42s", "3m05s" or "1h02m". */
  public static String duration(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  /** Progress to stderr. */
  public static Progress stderr() {
    return new Progress(System.err, false);
  }

  /** Discards everything (tests). */
  public static Progress silent() {
    return new Progress(System.err, true);
  }

  public synchronized void info(String format, Object... args) {
    String message = args.length == 0 ? format : String.format(format, args);
    listener.accept(message);
    if (quiet) {
      return;
    }
    double secs = Duration.between(start, Instant.now()).toMillis() / 1000.0;
    out.printf("[trailkeep %6.1fs] %s%n", secs, TerminalText.safe(message));
    out.flush();
  }

}
