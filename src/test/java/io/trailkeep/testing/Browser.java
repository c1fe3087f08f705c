package io.trailkeep.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real browser for the HTML TrailKeep writes: Debian's headless Chromium. */
public final class Browser {
  private Browser() {}

  /** The DOM after load (scripts, had any been allowed, have run), as Chromium serializes it. */
  public static String dom(Path html) throws IOException, InterruptedException {
    // no background networking: this machine's closed network refuses it, slowly
    Path profile = java.nio.file.Files.createTempDirectory("trailkeep-chromium");
    Path dom = java.nio.file.Files.createTempFile("trailkeep-dom", ".html");
    Process p = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
        "--dump-dom", html.toUri().toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectOutput(dom.toFile()).start();
    // the DOM goes to a file, so the wait below bounds the whole run (reading a pipe to its end first
    // would wait for as long as Chromium hangs)
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("chromium did not finish within 120 s on " + html);
    }
    assertEquals(0, p.exitValue(), "chromium ran (install Debian's chromium package)");
    return java.nio.file.Files.readString(dom, StandardCharsets.UTF_8);
  }
}
