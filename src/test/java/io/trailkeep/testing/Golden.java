package io.trailkeep.testing;

/**
 * Whether a test may rewrite its golden output: only when asked with
 * {@code -Dtrailkeep.regenerate=true}, and never in CI (environment variable {@code CI} set), where
 * a golden file must be compared, not written.
 */
public final class Golden {
  private Golden() {}

  /** True when regeneration was asked for outside CI; asked for in CI, an error. */
  public static boolean regenerate() {
    if (!Boolean.getBoolean("trailkeep.regenerate")) {
      return false;
    }
    String ci = System.getenv("CI");
    if (ci != null && !ci.isEmpty() && !ci.equals("false")) {
      throw new IllegalStateException("golden files are not regenerated in CI (CI=" + ci + "): run with "
          + "-Dtrailkeep.regenerate=true on a developer machine and commit the change with its reasons");
    }
    return true;
  }
}
