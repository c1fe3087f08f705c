package io.trailkeep.job;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/**
 * Human-readable progress on stderr ("[trailkeep] 12.3s ingest: ..."). Stdout stays free for
 * results and the --json summary. Thread-safe.
 */
public final class Progress {
  private final PrintStream out;
  private final Instant start = Instant.now();
  private final boolean quiet;
  private final java.util.function.Consumer<String> listener;

  public Progress(PrintStream out, boolean quiet) {
    this(out, quiet, m -> { });
  }

  private Progress(PrintStream out, boolean quiet, java.util.function.Consumer<String> listener) {
    this.out = out;
    this.quiet = quiet;
    this.listener = listener;
  }

  /** A copy that also hands every message to {@code listener} (tests, embedding UIs). */
  public Progress withListener(java.util.function.Consumer<String> l) {
    return new Progress(out, quiet, l);
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
    out.printf("[trailkeep %6.1fs] %s%n", secs, message);
    out.flush();
  }
}
