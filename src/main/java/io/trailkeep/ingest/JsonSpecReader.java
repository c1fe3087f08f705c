package io.trailkeep.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.trailkeep.json.JsonText;
import io.trailkeep.schema.JsonSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Streams one JSON object into the values of a {@link JsonSpec}, straight from the token stream:
 * no tree is built. Free-form values are cut out of the input bytes as exact text (byte offsets),
 * so requestParameters and the like keep their original spelling. The parser must read the byte
 * array given to {@link #reset}. Not thread-safe.
 */
public final class JsonSpecReader {
  private byte[] input;

  /** Sets the bytes that the parser reads; slices are cut from here. */
  public void reset(byte[] bytes) {
    this.input = bytes;
  }

  /**
   * Reads the object whose START_OBJECT is the parser's current token, leaving the parser on its
   * END_OBJECT. Returns {@code spec.width()} values: the fields, then the overflow JSON or null.
   */
  public Object[] readObject(JsonParser p, JsonSpec spec) throws IOException {
    Object[] values = new Object[spec.width()];
    StringBuilder extra = null;
    // declared keys that went to the overflow: their later occurrences follow them there, so
    // duplicates keep their order (RecordJson restores them)
    Set<String> overflowed = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      long start = p.currentTokenLocation().getByteOffset();
      int i = spec.indexOf(name);
      String extraRaw = null;
      if (i >= 0 && values[i] != null && spec.fields().get(i).kind == JsonSpec.Kind.TIMESTAMP
          && (overflowed == null || !overflowed.contains(name))) {
        // a second occurrence of a timestamp: its first spelling goes first, so that the first
        // overflow entry of a timestamp key is always its column's own spelling
        extra = appendExtra(extra, name, JsonText.quote(DateTimeFormatter.ISO_INSTANT
            .format(((Timestamp) values[i]).toInstant())));
        overflowed = mark(overflowed, name);
      }
      if (i < 0 || values[i] != null || v == JsonToken.VALUE_NULL
          || (overflowed != null && overflowed.contains(name))) {
        extraRaw = slice(p, v, start);
      } else {
        JsonSpec.Field f = spec.fields().get(i);
        switch (f.kind) {
          case STRING:
            if (v == JsonToken.VALUE_STRING) {
              values[i] = p.getText();
            } else {
              extraRaw = slice(p, v, start);
            }
            break;
          case BOOLEAN:
            if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
              values[i] = v == JsonToken.VALUE_TRUE;
            } else {
              extraRaw = slice(p, v, start);
            }
            break;
          case TIMESTAMP:
            if (v == JsonToken.VALUE_STRING) {
              String text = p.getText();
              Instant instant = parseInstant(text);
              if (instant != null) {
                values[i] = Timestamp.from(instant);
              }
              if (instant == null || !isCanonical(text, instant)) {
                extraRaw = JsonText.quote(text);
              }
            } else {
              extraRaw = slice(p, v, start);
            }
            break;
          case JSON:
            values[i] = slice(p, v, start);
            break;
          case STRUCT:
            if (v == JsonToken.START_OBJECT) {
              values[i] = RowFactory.create(readObject(p, f.nested));
            } else {
              extraRaw = slice(p, v, start);
            }
            break;
          case STRUCT_ARRAY:
            if (v == JsonToken.START_ARRAY) {
              Row[] rows = readObjectArray(p, f.nested);
              if (rows != null) {
                values[i] = rows;
              } else {
                extraRaw = text(start, p.currentLocation().getByteOffset());
              }
            } else {
              extraRaw = slice(p, v, start);
            }
            break;
          default:
            throw new IllegalStateException("unhandled kind " + f.kind);
        }
      }
      if (extraRaw != null) {
        extra = appendExtra(extra, name, extraRaw);
        if (i >= 0) {
          overflowed = mark(overflowed, name);
        }
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new JsonParseException(p, "unexpected token " + t);
    }
    values[values.length - 1] = extra == null ? null : extra.append('}').toString();
    return values;
  }

  private static StringBuilder appendExtra(StringBuilder extra, String name, String rawValue) {
    StringBuilder b = extra == null ? new StringBuilder(64).append('{') : extra.append(',');
    JsonText.appendQuoted(b, name);
    return b.append(':').append(rawValue);
  }

  private static Set<String> mark(Set<String> set, String name) {
    Set<String> s = set == null ? new HashSet<>() : set;
    s.add(name);
    return s;
  }

  /** Reads an array of objects; returns null (array skipped) if any element is not an object. */
  private Row[] readObjectArray(JsonParser p, JsonSpec spec) throws IOException {
    ArrayList<Row> out = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          p.skipChildren();
        }
        return null;
      }
      out.add(RowFactory.create(readObject(p, spec)));
    }
    return out.toArray(new Row[0]);
  }

  /** Exact input text of the value whose first token is {@code v}, consuming it. */
  public String slice(JsonParser p, JsonToken v, long start) throws IOException {
    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
      p.skipChildren();
    } else {
      p.finishToken();
    }
    return text(start, p.currentLocation().getByteOffset());
  }

  /** Input text between two byte offsets. */
  public String text(long start, long end) {
    return new String(input, (int) start, (int) (end - start), StandardCharsets.UTF_8);
  }

  /** Parses ISO-8601 instants as CloudTrail writes them (Z or an offset); null if not one. */
  public static Instant parseInstant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static boolean isCanonical(String text, Instant instant) {
    return instant.getNano() % 1000 == 0 && text.equals(DateTimeFormatter.ISO_INSTANT.format(instant));
  }
}
