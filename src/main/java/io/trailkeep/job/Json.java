package io.trailkeep.job;

import io.trailkeep.ingest.JsonText;
import java.util.Collection;
import java.util.Map;

/** Writes summaries (maps, lists, numbers, strings) as one line of JSON. */
public final class Json {
  private Json() {}

  public static String write(Object value) {
    StringBuilder b = new StringBuilder();
    append(b, value);
    return b.toString();
  }

  private static void append(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof Map) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        JsonText.appendQuoted(b, String.valueOf(e.getKey()));
        b.append(':');
        append(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof Collection) {
      b.append('[');
      boolean first = true;
      for (Object o : (Collection<?>) v) {
        if (!first) {
          b.append(',');
        }
        first = false;
        append(b, o);
      }
      b.append(']');
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      b.append(Double.isFinite(d) ? String.valueOf(Math.round(d * 1000) / 1000.0) : "null");
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else {
      JsonText.appendQuoted(b, v.toString());
    }
  }
}
