package io.trailkeep.conf;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Resolved, immutable configuration: flag &gt; conf file &gt; default, for the keys declared in
 * {@link ConfKey}. Every value is validated by its key's type when resolved, so a bad value fails
 * before any job starts. Conf files are Java properties ({@code key = value}, {@code #} comments).
 * Unknown keys, in a file or as overrides, raise {@link ConfException}; keys starting with
 * {@code spark.} are passed through to the Spark session. Credentials never belong here.
 */
public final class TrailkeepConf {

  private final Map<String, Object> values;
  private final Map<String, String> texts;
  private final Map<String, String> sparkConf;
  private final String source;

  private TrailkeepConf(Map<String, Object> values, Map<String, String> texts,
      Map<String, String> sparkConf, String source) {
    this.values = Collections.unmodifiableMap(values);
    this.texts = Collections.unmodifiableMap(texts);
    this.sparkConf = Collections.unmodifiableMap(sparkConf);
    this.source = source;
  }

  /** Defaults only. */
  public static TrailkeepConf defaults() {
    return resolve(null, Map.of());
  }

  /**
   * Resolves the configuration.
   *
   * @param confFile properties file, or null for defaults only
   * @param overrides values given as flags (null values are ignored); they win over the file
   */
  public static TrailkeepConf resolve(Path confFile, Map<String, String> overrides) {
    TrailkeepConf c = new TrailkeepConf(new LinkedHashMap<>(), new LinkedHashMap<>(), new TreeMap<>(),
        confFile == null ? "defaults" : confFile.toString());
    Map<String, String> merged = new LinkedHashMap<>();
    for (ConfKey<?> k : ConfKey.all().values()) {
      merged.put(k.name(), k.defaultText());
    }
    Map<String, String> spark = new TreeMap<>();
    if (confFile != null) {
      Properties props = new Properties();
      if (!Files.isRegularFile(confFile)) {
        throw new ConfException("conf file " + confFile + " does not exist; pass an existing file "
            + "with --conf (see conf/local.conf)");
      }
      try (Reader r = Files.newBufferedReader(confFile, StandardCharsets.UTF_8)) {
        props.load(r);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfException("cannot read conf file " + confFile + ": " + e.getMessage());
      }
      for (String name : new TreeMap<>(toMap(props)).keySet()) {
        put(merged, spark, name, props.getProperty(name).trim(), "conf file " + confFile);
      }
    }
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (e.getValue() != null) {
        put(merged, spark, e.getKey(), e.getValue(), "option");
      }
    }
    return build(merged, spark, c.source);
  }

  private static TrailkeepConf build(Map<String, String> texts, Map<String, String> spark, String source) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : texts.entrySet()) {
      values.put(e.getKey(), ConfKey.all().get(e.getKey()).parse(e.getValue()));
    }
    return new TrailkeepConf(values, new LinkedHashMap<>(texts), new TreeMap<>(spark), source);
  }

  private static Map<String, String> toMap(Properties p) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String n : p.stringPropertyNames()) {
      m.put(n, p.getProperty(n));
    }
    return m;
  }

  private static void put(Map<String, String> merged, Map<String, String> spark, String name,
      String value, String where) {
    if (name.startsWith("spark.")) {
      spark.put(name, value);
      return;
    }
    if (!merged.containsKey(name)) {
      throw new ConfException("unknown configuration key '" + name + "' in " + where
          + "; valid keys are listed by 'trailkeep --help' and in conf/local.conf");
    }
    merged.put(name, value.trim());
  }

  /** A copy with the given values (key name to text) overriding this one, validated as flags are. */
  public TrailkeepConf with(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(texts);
    Map<String, String> spark = new TreeMap<>(sparkConf);
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (e.getValue() != null) {
        put(merged, spark, e.getKey(), e.getValue(), "option");
      }
    }
    return build(merged, spark, source);
  }

  /** A copy with one typed value replaced, validated by its key's type. */
  public <T> TrailkeepConf with(ConfKey<T> key, T value) {
    Map<String, Object> v = new LinkedHashMap<>(values);
    Map<String, String> t = new LinkedHashMap<>(texts);
    String text = key.format(value);
    v.put(key.name(), key.parse(text));
    t.put(key.name(), text);
    return new TrailkeepConf(v, t, sparkConf, source);
  }

  /** The typed value of {@code key}. */
  @SuppressWarnings("unchecked")
  public <T> T get(ConfKey<T> key) {
    return (T) values.get(key.name());
  }

  /** The value of {@code key} as text (as given, or the default's text). */
  public String text(ConfKey<?> key) {
    return texts.get(key.name());
  }

  /** Keys starting with {@code spark.} as given in the conf file or flags. */
  public Map<String, String> sparkConf() {
    return sparkConf;
  }

  /** Where the values came from, for progress output. */
  public String source() {
    return source;
  }
}
