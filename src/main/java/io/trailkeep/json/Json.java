package io.trailkeep.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * JSON written by TrailKeep (job summaries, run history, ground truth, digests, reports) goes
 * through Jackson's {@link ObjectMapper}: exact escaping of every string, numbers as measured (no
 * rounding), one line per value. Records become ordered maps whose keys are the component names
 * in snake_case ({@link #fields}), so a result record is its own summary schema. Thread-safe.
 */
public final class Json {
  /** The shared mapper: compact output, map keys in insertion order, no default typing. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  /** On a record component of record type: its fields are written in place of it (flattened). */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.RECORD_COMPONENT)
  public @interface Inline {}

  /** One line of JSON for maps, lists, records, numbers, strings, booleans and null. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(plain(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Indented JSON (files people read). */
  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(plain(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Parses JSON text into a tree; a user-facing error names the problem. */
  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * The components of {@code record} as an ordered map, names in snake_case; nested records,
   * lists and maps are converted the same way, and an {@link Inline} component's fields are
   * written in its place. Optional components are written as their value or
   * null; {@link Instant} and {@link LocalDate} as ISO-8601 text.
   */
  public static Map<String, Object> fields(Record record) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      try {
        Method accessor = c.getAccessor();
        accessor.setAccessible(true); // records of package-private classes
        Object value = accessor.invoke(record);
        if (c.isAnnotationPresent(Inline.class) && value instanceof Record) {
          out.putAll(fields((Record) value));
        } else {
          out.put(snake(c.getName()), plain(value));
        }
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + c.getName() + " of " + record, e);
      }
    }
    return out;
  }

  /** Values Jackson writes as-is: records, optionals and time types turned into plain ones. */
  public static Object plain(Object v) {
    if (v instanceof Record) {
      return fields((Record) v);
    }
    if (v instanceof Optional) {
      return plain(((Optional<?>) v).orElse(null));
    }
    if (v instanceof Instant || v instanceof LocalDate) {
      return v.toString();
    }
    if (v instanceof Map) {
      Map<Object, Object> m = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        m.put(String.valueOf(e.getKey()), plain(e.getValue()));
      }
      return m;
    }
    if (v instanceof Collection) {
      List<Object> l = new ArrayList<>();
      for (Object o : (Collection<?>) v) {
        l.add(plain(o));
      }
      return l;
    }
    if (v instanceof Double && !Double.isFinite((Double) v)) {
      return null;
    }
    return v;
  }

  /** {@code filesSeen} to {@code files_seen}. */
  public static String snake(String camel) {
    StringBuilder b = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          b.append('_');
        }
        b.append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
