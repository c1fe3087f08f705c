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
 * {@link ConfKey}. Conf files are Java properties ({@code key = value}, {@code #} comments).
 * Unknown keys, in a file or as overrides, raise {@link ConfException}; keys starting with
 * {@code spark.} are passed through to the Spark session. Credentials never belong here.
 */
public final class TrailkeepConf {

  private final Map<String, String> values;
  private final Map<String, String> sparkConf;
  private final String source;

  private TrailkeepConf(Map<String, String> values, Map<String, String> sparkConf, String source) {
    this.values = Collections.unmodifiableMap(values);
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
   * @param overrides values given as flags; they win over the file
   */
  public static TrailkeepConf resolve(Path confFile, Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>();
    Map<String, String> spark = new TreeMap<>();
    for (ConfKey k : ConfKey.all().values()) {
      merged.put(k.name(), k.defaultValue());
    }
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
    return new TrailkeepConf(merged, spark, confFile == null ? "defaults" : confFile.toString());
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
    merged.put(name, value);
  }

  /** Returns a copy with the given values overriding this one (same validation as flags). */
  public TrailkeepConf with(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(values);
    Map<String, String> spark = new TreeMap<>(sparkConf);
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (e.getValue() != null) {
        put(merged, spark, e.getKey(), e.getValue(), "option");
      }
    }
    return new TrailkeepConf(merged, spark, source);
  }

  public String get(ConfKey key) {
    return values.get(key.name());
  }

  public int getInt(ConfKey key) {
    String v = get(key);
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfException(key.name() + " must be an integer, got '" + v + "'");
    }
  }

  public long getLong(ConfKey key) {
    String v = get(key);
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfException(key.name() + " must be an integer, got '" + v + "'");
    }
  }

  public double getDouble(ConfKey key) {
    String v = get(key);
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfException(key.name() + " must be a number, got '" + v + "'");
    }
  }

  public boolean getBoolean(ConfKey key) {
    String v = get(key).trim().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new ConfException(key.name() + " must be true or false, got '" + get(key) + "'");
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
