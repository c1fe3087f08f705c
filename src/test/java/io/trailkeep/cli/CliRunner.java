package io.trailkeep.cli;

import io.trailkeep.testing.TestSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the command line in this JVM, joining the shared test session; for tests of any package. */
public final class CliRunner {
  private CliRunner() {}

  /** Exit code and output of one run. */
  public record Run(int code, String out, String err) {
    public String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  public static Run run(String... args) {
    TestSpark.get();
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
