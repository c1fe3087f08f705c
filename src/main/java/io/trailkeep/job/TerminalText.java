package io.trailkeep.job;

/**
 * Makes text safe for a terminal. Log content is hostile: a userAgent or errorMessage can carry
 * ANSI escape sequences (ESC [ ...) that recolour, move the cursor, retitle the window or hide
 * text on an analyst's screen. Every C0 and C1 control character, DEL and the Unicode bidirectional
 * overrides are replaced by a visible escape ({@code \e}, {@code \n}, {@code \x07}, {@code \u202e});
 * a backslash is doubled so that an escape in the data cannot be mistaken for one we wrote. JSON
 * output does not go through here: its encoder escapes control characters itself.
 */
public final class TerminalText {
  private TerminalText() {}

  /** {@code text} with every control character shown as an escape; null stays null. */
  public static String safe(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String esc = escape(c);
      if (esc != null && b == null) {
        b = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (b != null) {
        b.append(esc != null ? esc : String.valueOf(c));
      }
    }
    return b == null ? text : b.toString();
  }

  private static String escape(char c) {
    switch (c) {
      case '\\':
        return "\\\\";
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case 0x1b:
        return "\\e";
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
      return String.format("\\x%02x", (int) c);
    }
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f
        || c == 0x061c) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }
}
