package io.trailkeep.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table lists exactly the declared keys, each with its default. Run
 * with {@code -Dtrailkeep.regenerate=true} to rewrite the table from the declarations.
 */
class ReadmeConfigurationTest {
  private static final String BEGIN = "<!-- configuration keys: generated from ConfKey, checked by ReadmeConfigurationTest -->";
  private static final String END = "<!-- end of configuration keys -->";
  private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| `([^`]*)` \\|.*$", Pattern.MULTILINE);

  static String table() {
    StringBuilder b = new StringBuilder("| key | default | values | meaning |\n|---|---|---|---|\n");
    for (ConfKey<?> k : ConfKey.all().values()) {
      b.append("| `").append(k.name()).append("` | `").append(k.defaultText()).append("` | ")
          .append(k.typeDescription().replace("|", "\\|")).append(" | ")
          .append(k.description().replace("|", "\\|")).append(" |\n");
    }
    return b.toString();
  }

  @Test
  void readmeListsEveryKeyWithItsDefault() throws IOException {
    Path readme = Path.of("README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int start = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    assertTrue(start >= 0 && end > start, "README.md has the configuration-key markers");
    if (io.trailkeep.testing.Golden.regenerate()) {
      text = text.substring(0, start + BEGIN.length()) + "\n" + table() + text.substring(end);
      Files.writeString(readme, text, StandardCharsets.UTF_8);
      end = text.indexOf(END);
    }
    String section = text.substring(start, end);
    Map<String, String> listed = new LinkedHashMap<>();
    Matcher m = ROW.matcher(section);
    while (m.find()) {
      listed.put(m.group(1), m.group(2));
    }
    Map<String, String> declared = new LinkedHashMap<>();
    for (ConfKey<?> k : ConfKey.all().values()) {
      declared.put(k.name(), k.defaultText());
    }
    assertEquals(declared, listed, "README configuration table (regenerate with "
        + "-Dtrailkeep.regenerate=true); expected:\n" + table());
  }
}
