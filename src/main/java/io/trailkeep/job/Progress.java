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

  public Progress(PrintStream out, boolean quiet) {
    this(out, quiet, m -> { });
  }

  private Progress(PrintStream out, boolean quiet, Consumer<String> listener) {
    this.out = out;
    this.quiet = quiet;
    this.listener = listener;
  }

  /** A copy that also hands every message to {@code l} (tests, embedding UIs). */
  public Progress withListener(Consumer<String> l) {
    Consumer<String> previous = listener;
    return new Progress(out, quiet, m -> {
      previous.accept(m);
      l.accept(m);
    });
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

  /**
   * A progress line for a long step: {@code done} of {@code total} units, the rate since
   * {@code since} and the time left at that rate.
   */
  public void step(String what, long done, long total, String unit, Instant since) {
    double secs = Math.max(0.001, Duration.between(since, Instant.now()).toMillis() / 1000.0);
    double rate = done / secs;
    String left = rate > 0 && total >= done ? String.format("%.0fs left", (total - done) / rate) : "";
    info("%s: %d/%d %s (%.0f/s) %s", what, done, total, unit, rate, left);
  }
}
