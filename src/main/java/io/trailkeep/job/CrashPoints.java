package io.trailkeep.job;

import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * Named points between the commits of a job, where the crash tests stop a child JVM to kill it
 * with SIGKILL. When the environment variable {@value #ENV} names the point reached, the thread
 * prints {@code [trailkeep-paused] <point>} on stderr and blocks, so the test can inspect the
 * lake at exactly that moment and then kill the process. Without the variable (every production
 * run) a point costs one string comparison. Points are documented where they are reached; the
 * README lists them.
 */
public final class CrashPoints {
  /** The environment variable that arms a point. */
  public static final String ENV = "TRAILKEEP_PAUSE_AT";
  /** The line printed when paused. */
  public static final String MARKER = "[trailkeep-paused] ";
  private static final String ARMED = System.getenv(ENV);

  private CrashPoints() {}

  /** Whether {@code point} is armed in this process. */
  public static boolean armed(String point) {
    return point.equals(ARMED);
  }

  /** Blocks forever when {@code point} is armed; returns at once otherwise. */
  public static void reach(String point) {
    if (!armed(point)) {
      return;
    }
    synchronized (CrashPoints.class) {
      System.err.println(MARKER + point);
      System.err.flush();
      while (true) {
        try {
          CrashPoints.class.wait();
        } catch (InterruptedException e) {
          // keep waiting: only SIGKILL ends a paused run
        }
      }
    }
  }

  /**
   * {@code rows}, which reach {@code point} in each task when the task completes: placed right
   * before a write, the task pauses after it has written and closed its files, before the driver
   * commits them. Unchanged (no extra step in the plan) when the point is not armed.
   */
  public static Dataset<Row> pauseAfterRows(Dataset<Row> rows, String point) {
    if (!armed(point)) {
      return rows;
    }
    return rows.mapPartitions(new PauseAtEnd(point), Encoders.row(rows.schema()));
  }

  private static final class PauseAtEnd implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final String point;

    PauseAtEnd(String point) {
      this.point = point;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> in) {
      // completion listeners run after the task's writer has closed its files, before the task's
      // result reaches the driver (which commits)
      TaskContext.get().addTaskCompletionListener((TaskCompletionListener) context -> reach(point));
      return in;
    }
  }
}
