package io.trailkeep.spark;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The CLI's logging: the launcher's configuration ({@code conf/log4j2.properties}) keeps Spark,
 * Delta and Hadoop at warnings, and their routine ones (plan truncation, large task binaries,
 * native libraries) at errors, so a terminal shows TrailKeep's progress and errors.
 * {@link #showWarnings()} ({@code --verbose}) lets every warning through again. Side effect: the
 * process's log4j levels.
 */
public final class LogLevels {
  private LogLevels() {}

  /** Every logger at WARN, the per-library quieting undone. */
  public static void showWarnings() {
    Configurator.setAllLevels(LogManager.getRootLogger().getName(), Level.WARN);
  }
}
