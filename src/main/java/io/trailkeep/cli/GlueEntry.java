package io.trailkeep.cli;

import io.trailkeep.conf.ConfException;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point for AWS Glue jobs ({@code --class io.trailkeep.cli.GlueEntry}). Glue passes its own
 * arguments ({@code --JOB_NAME}, {@code --TempDir}, ...) in no fixed order, so the TrailKeep
 * command line travels in one job argument, {@code --trailkeep "ingest --raw s3a://... --json"},
 * split into words as a shell would (quotes keep a value with spaces whole); every other argument
 * is Glue's and is ignored.
 */
public final class GlueEntry {
  private GlueEntry() {}

  public static void main(String[] args) {
    String[] command;
    try {
      command = trailkeepArgs(args);
    } catch (ConfException e) {
      System.err.println("trailkeep: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(Main.run(command));
  }

  static String[] trailkeepArgs(String[] glueArgs) {
    for (int i = 0; i < glueArgs.length - 1; i++) {
      if (glueArgs[i].equals("--trailkeep")) {
        return words(glueArgs[i + 1]).toArray(new String[0]);
      }
    }
    System.err.println("trailkeep: the Glue job needs the argument --trailkeep \"<command> [options]\"");
    System.exit(2);
    return new String[0];
  }

  /**
   * Splits a command line as a POSIX shell would for words and quotes: whitespace separates
   * words; single quotes keep everything literally; double quotes keep whitespace and allow
   * backslash escapes of {@code " \\ $ `}; a backslash outside quotes escapes the next
   * character. No expansion of any kind. An unterminated quote is a usage error.
   */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else if (c == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          out.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '\\' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else {
          word.append(c);
        }
      }
    }
    if (quote != 0) {
      throw new ConfException("--trailkeep has an unterminated " + (quote == '"' ? "double" : "single")
          + " quote: " + line);
    }
    if (word != null) {
      out.add(word.toString());
    }
    return out;
  }
}
