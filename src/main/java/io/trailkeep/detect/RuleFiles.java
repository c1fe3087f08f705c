package io.trailkeep.detect;

import io.trailkeep.conf.ConfException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Loads rule files: the rules shipped in the jar ({@code rules/*.yml}, with an optional sibling
 * {@code <id>.sql} holding the logic) and a user's rules from a directory in the same format. The
 * id of a rule is its file name. A file that does not parse is an error naming the file and the
 * problem; user rules may not reuse a shipped id.
 */
public final class RuleFiles {
  private static final String SHIPPED = "rules/";

  private RuleFiles() {}

  /** The YAML of one file as maps, lists and scalars. */
  public static Object parseYaml(String name, String text) {
    try {
      return new Load(LoadSettings.builder().setLabel(name).build()).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new ConfException("rule file " + name + " is not valid YAML: "
          + e.getMessage().replace('\n', ' '));
    }
  }

  /** The rules shipped in the jar, sorted by id. */
  public static List<Rule> shipped() {
    Map<String, String> files = new TreeMap<>();
    try {
      Enumeration<URL> roots = RuleFiles.class.getClassLoader().getResources(SHIPPED);
      while (roots.hasMoreElements()) {
        URL root = roots.nextElement();
        if (root.getProtocol().equals("jar")) {
          JarURLConnection c = (JarURLConnection) root.openConnection();
          c.setUseCaches(false);
          try (JarFile jar = c.getJarFile()) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
              JarEntry entry = e.nextElement();
              if (entry.getName().startsWith(SHIPPED) && !entry.isDirectory()) {
                try (InputStream in = jar.getInputStream(entry)) {
                  files.put(entry.getName().substring(SHIPPED.length()),
                      new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
              }
            }
          }
        } else {
          files.putAll(read(Paths.get(root.toURI())));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the shipped rules: " + e.getMessage(), e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return parse(files, "trailkeep");
  }

  /** The rules of a directory (user rules). */
  public static List<Rule> directory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConfException("rule directory " + dir + " does not exist; give a folder of "
          + "<id>.yml rule files (see README, Detection rules)");
    }
    try {
      return parse(read(dir), "user");
    } catch (IOException e) {
      throw new ConfException("cannot read rule directory " + dir + ": " + e.getMessage());
    }
  }

  private static Map<String, String> read(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (Files.isRegularFile(p) && (name.endsWith(".yml") || name.endsWith(".yaml")
            || name.endsWith(".sql"))) {
          files.put(name, Files.readString(p, StandardCharsets.UTF_8));
        }
      }
    }
    return files;
  }

  private static List<Rule> parse(Map<String, String> files, String source) {
    List<Rule> rules = new ArrayList<>();
    for (Map.Entry<String, String> f : files.entrySet()) {
      String name = f.getKey();
      if (!name.endsWith(".yml") && !name.endsWith(".yaml")) {
        continue;
      }
      String id = name.substring(0, name.lastIndexOf('.'));
      Object y = parseYaml(name, f.getValue());
      if (!(y instanceof Map)) {
        throw new ConfException("rule file " + name + " is not a YAML mapping");
      }
      try {
        rules.add(Rule.fromYaml(id, source, Rule.map(y), files.get(id + ".sql")));
      } catch (IllegalArgumentException e) {
        throw new ConfException("rule file " + name + ": " + e.getMessage());
      }
    }
    return rules;
  }

  /** Shipped rules plus the user's (a user rule may not reuse a shipped id). */
  public static List<Rule> all(Path userDir) {
    List<Rule> rules = new ArrayList<>(shipped());
    if (userDir != null) {
      java.util.Set<String> ids = new java.util.HashSet<>();
      rules.forEach(r -> ids.add(r.id()));
      for (Rule r : directory(userDir)) {
        if (!ids.add(r.id())) {
          throw new ConfException("user rule " + r.id() + " reuses the id of a shipped rule; rename "
              + "its file");
        }
        rules.add(r);
      }
    }
    return rules;
  }
}
