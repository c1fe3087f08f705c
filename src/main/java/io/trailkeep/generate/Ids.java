package io.trailkeep.generate;

import java.util.SplittableRandom;
import java.util.UUID;

/** Identifier shapes AWS uses (hex ids, upper-case key ids, UUIDs), drawn from a seeded random. */
final class Ids {
  private Ids() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final char[] UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
  private static final char[] ALNUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final char[] LOWER = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  static String hex(SplittableRandom r, int n) {
    return draw(r, n, HEX);
  }

  static String upper(SplittableRandom r, int n) {
    return draw(r, n, UPPER);
  }

  static String alnum(SplittableRandom r, int n) {
    return draw(r, n, ALNUM);
  }

  static String lower(SplittableRandom r, int n) {
    return draw(r, n, LOWER);
  }

  private static String draw(SplittableRandom r, int n, char[] alphabet) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = alphabet[r.nextInt(alphabet.length)];
    }
    return new String(c);
  }

  static String uuid(SplittableRandom r) {
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }
}
