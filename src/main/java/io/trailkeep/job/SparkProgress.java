package io.trailkeep.job;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import scala.collection.Iterator;

/**
 * Progress of the long Spark jobs of one run, through {@link Progress}: while a job of the run's
 * job group is running, at most once per {@link Progress#sparkInterval()}, the tasks done of the
 * job's total, the records its tasks read, shuffled or wrote (per task the largest of the three),
 * the rate and the time left at that rate. Jobs shorter than the interval print nothing, so small runs stay
 * quiet. Tasks of stages Spark skips (a shuffle computed before) never run, so "left" is an upper
 * bound.
 *
 * <p>Cost: one listener on Spark's event bus for the run (counters, no Spark work). Side effect:
 * progress lines on stderr.
 */
final class SparkProgress extends SparkListener implements AutoCloseable {
  private final SparkContext sc;
  private final String group;
  private final String job;
  private final Progress progress;
  private final long intervalNanos;
  private final Map<Integer, JobState> jobs = new ConcurrentHashMap<>();
  private final Map<Integer, JobState> byStage = new ConcurrentHashMap<>();

  private static final class JobState {
    final int id;
    final long total;
    final long started = System.nanoTime();
    long done;
    long records;
    long lastReport = System.nanoTime();

    JobState(int id, long total) {
      this.id = id;
      this.total = total;
    }
  }

  private SparkProgress(SparkContext sc, String group, String job, Progress progress) {
    this.sc = sc;
    this.group = group;
    this.job = job;
    this.progress = progress;
    this.intervalNanos = progress.sparkInterval().toNanos();
  }

  /** Starts following the jobs of {@code group}; close to stop. */
  static SparkProgress attach(SparkContext sc, String group, String job, Progress progress) {
    SparkProgress p = new SparkProgress(sc, group, job, progress);
    sc.addSparkListener(p);
    return p;
  }

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    Properties props = e.properties();
    if (props == null || !group.equals(props.getProperty("spark.jobGroup.id"))) {
      return;
    }
    long total = 0;
    JobState state;
    Iterator<StageInfo> stages = e.stageInfos().iterator();
    java.util.List<Integer> ids = new java.util.ArrayList<>();
    while (stages.hasNext()) {
      StageInfo s = stages.next();
      total += s.numTasks();
      ids.add(s.stageId());
    }
    state = new JobState(e.jobId(), total);
    jobs.put(e.jobId(), state);
    for (Integer id : ids) {
      byStage.put(id, state);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    JobState s = byStage.get(e.stageId());
    if (s == null) {
      return;
    }
    String line = null;
    synchronized (s) {
      s.done++;
      if (e.taskMetrics() != null) {
        // a raw read has no input records (files come from a parallelized list): count what the
        // task produced instead, whichever of read, shuffled or written is largest
        s.records += Math.max(e.taskMetrics().inputMetrics().recordsRead(),
            Math.max(e.taskMetrics().shuffleWriteMetrics().recordsWritten(),
                e.taskMetrics().outputMetrics().recordsWritten()));
      }
      long now = System.nanoTime();
      if (now - s.lastReport >= intervalNanos && now - s.started >= intervalNanos && s.done < s.total) {
        s.lastReport = now;
        double seconds = Math.max(1e-3, (now - s.started) / 1e9);
        double tasksPerSecond = s.done / seconds;
        line = String.format("%s: Spark job %d: %d/%d tasks, %d records (%.0f/s), about %s left",
            job, s.id, s.done, s.total, s.records, s.records / seconds,
            Progress.duration(Duration.ofSeconds(Math.round((s.total - s.done) / tasksPerSecond))));
      }
    }
    if (line != null) {
      progress.info(line);
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd e) {
    JobState s = jobs.remove(e.jobId());
    if (s != null) {
      byStage.values().removeIf(v -> v == s);
    }
  }

  @Override
  public void close() {
    sc.removeSparkListener(this);
  }
}
