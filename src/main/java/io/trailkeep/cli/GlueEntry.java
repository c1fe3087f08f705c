package io.trailkeep.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Entry point for AWS Glue jobs ({@code --class io.trailkeep.cli.GlueEntry}). Glue passes its own
 * arguments ({@code --JOB_NAME}, {@code --TempDir}, ...) in no fixed order, so the TrailKeep
 * command line travels in one job argument, {@code --trailkeep "ingest --raw s3a://... --json"},
 * split on whitespace; every other argument is Glue's and is ignored.
 */
public final class GlueEntry {
  private GlueEntry() {}

  public static void main(String[] args) {
    System.exit(Main.run(trailkeepArgs(args)));
  }

  static String[] trailkeepArgs(String[] glueArgs) {
    for (int i = 0; i < glueArgs.length - 1; i++) {
      if (glueArgs[i].equals("--trailkeep")) {
        List<String> out = new ArrayList<>();
        for (String s : glueArgs[i + 1].trim().split("\\s+")) {
          if (!s.isEmpty()) {
            out.add(s);
          }
        }
        return out.toArray(new String[0]);
      }
    }
    System.err.println("trailkeep: the Glue job needs the argument --trailkeep \"<command> [options]\"");
    System.exit(2);
    return new String[0];
  }
}
