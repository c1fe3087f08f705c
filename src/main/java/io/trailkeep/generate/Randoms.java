package io.trailkeep.generate;

import java.util.List;
import java.util.SplittableRandom;

/** Seeded randomness helpers shared by the generator's writers. Stateless. */
final class Randoms {
  private Randoms() {}

  /** A Poisson draw (normal approximation above 30). */
  static int poisson(SplittableRandom r, double lambda) {
    if (lambda <= 0) {
      return 0;
    }
    if (lambda > 30) {
      double g = r.nextGaussian() * Math.sqrt(lambda) + lambda;
      return (int) Math.max(0, Math.round(g));
    }
    double l = Math.exp(-lambda);
    int k = 0;
    double p = 1;
    do {
      k++;
      p *= r.nextDouble();
    } while (p > l);
    return k - 1;
  }

  static <T> void shuffle(List<T> list, SplittableRandom r) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  /** A seed for one unit of output (a day, an account, a window) mixed from its coordinates. */
  static long mix(long a, long b, long c, long d) {
    long h = a * 0x9E3779B97F4A7C15L;
    h ^= b + 0x632BE59BD9B4E019L + (h << 6) + (h >>> 2);
    h ^= c + 0x85157AF5L + (h << 6) + (h >>> 2);
    h ^= d * 0xC2B2AE3D27D4EB4FL + (h << 6) + (h >>> 2);
    return h;
  }
}
