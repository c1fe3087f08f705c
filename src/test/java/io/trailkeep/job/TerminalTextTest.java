package io.trailkeep.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TerminalTextTest {

  @Test
  void controlAndBidiCharactersBecomeVisibleEscapes() {
    assertEquals("a\\e[2Jb", TerminalText.safe("a\u001b[2Jb"));
    assertEquals("x\\x9by", TerminalText.safe("x\u009by"), "C1 CSI");
    assertEquals("\\u202eevil", TerminalText.safe("\u202eevil"), "right-to-left override");
    assertEquals("tab\\tnl\\ncr\\r", TerminalText.safe("tab\tnl\ncr\r"));
    assertEquals("back\\\\slash", TerminalText.safe("back\\slash"));
    assertEquals("plain text, ümlaut, 日本", TerminalText.safe("plain text, ümlaut, 日本"));
  }

  @Test
  void progressLinesAreSafeToo() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
    p.info("listing %s", "s3a://b/AWSLogs/\u001b]0;pwned\u0007.json.gz");
    String line = buf.toString(StandardCharsets.UTF_8);
    assertFalse(line.contains("\u001b"));
    assertTrue(line.contains("\\e]0;pwned\\x07"), line);
  }
}
