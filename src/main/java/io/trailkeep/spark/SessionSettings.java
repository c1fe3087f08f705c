package io.trailkeep.spark;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * Runtime SQL settings a job changes for its own duration, restored when it closes: a value that
 * was set gets its old value back, one that was unset is unset again. Jobs never call
 * {@code spark.conf().set} directly, so running TrailKeep inside a notebook or someone else's
 * application leaves that session as it found it. Not thread-safe; one per job run.
 */
public final class SessionSettings implements AutoCloseable {
  private record Previous(String key, Option<String> value) {}

  private final SparkSession spark;
  private final Deque<Previous> previous = new ArrayDeque<>();
  private final Set<String> touched = new HashSet<>();

  private SessionSettings(SparkSession spark) {
    this.spark = spark;
  }

  public static SessionSettings on(SparkSession spark) {
    return new SessionSettings(spark);
  }

  /** Sets {@code key} until {@link #close}; the first change of a key remembers its old value. */
  public SessionSettings set(String key, String value) {
    if (touched.add(key)) {
      previous.push(new Previous(key, spark.conf().getOption(key)));
    }
    spark.conf().set(key, value);
    return this;
  }

  /** Unsets {@code key} until {@link #close} (its old value, if any, comes back then). */
  public SessionSettings unset(String key) {
    if (touched.add(key)) {
      previous.push(new Previous(key, spark.conf().getOption(key)));
    }
    spark.conf().unset(key);
    return this;
  }

  /** The current value of {@code key}, or {@code fallback}. */
  public String get(String key, String fallback) {
    return spark.conf().get(key, fallback);
  }

  @Override
  public void close() {
    while (!previous.isEmpty()) {
      Previous p = previous.pop();
      if (p.value().isDefined()) {
        spark.conf().set(p.key(), p.value().get());
      } else {
        spark.conf().unset(p.key());
      }
    }
    touched.clear();
  }
}
