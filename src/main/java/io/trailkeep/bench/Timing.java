package io.trailkeep.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/** Best-of-N wall-clock timing and heap peaks, as the bench steps measure them. */
final class Timing {
  private Timing() {}

  /** A timed piece of work. */
  interface Work {
    void run() throws IOException;
  }

  /** The shortest of {@code repeats} runs, in seconds. */
  static double best(int repeats, Work work) throws IOException {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < Math.max(1, repeats); i++) {
      long t0 = System.nanoTime();
      work.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
