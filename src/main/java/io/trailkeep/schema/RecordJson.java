package io.trailkeep.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trailkeep.json.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Rebuilds the original JSON object of a row from its {@link JsonSpec} columns plus the
 * {@code extra_fields} overflow. {@link #toText} is exact in members: every key the delivered
 * object had, as often as it had it, duplicate keys in their original order (the first occurrence
 * of a declared key is its column, later ones are in the overflow); a timestamp's original
 * spelling, kept in the overflow, replaces the canonical text. Only the order of distinct keys and
 * insignificant whitespace may differ. {@link #toJson} is the same as a tree, where a duplicate
 * key keeps its last value. Meant for evidence export and verification, not the ingest hot path.
 */
public final class RecordJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private RecordJson() {}

  /** One member of an object: its key and its value as JSON text. */
  private record Member(String key, String json) {}

  /** The delivered object's text, duplicate keys included (see the class comment). */
  public static String toText(JsonSpec spec, Row row) {
    StringWriter w = new StringWriter(512);
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      write(g, spec, row);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** The record as a tree: like {@link #toText}, a duplicate key keeps its last value. */
  public static ObjectNode toJson(JsonSpec spec, Row row) {
    return (ObjectNode) parse(toText(spec, row));
  }

  private static void write(JsonGenerator g, JsonSpec spec, Row row) throws IOException {
    List<JsonSpec.Field> fields = spec.fields();
    int extra = fields.size();
    List<Member> overflow = row.isNullAt(extra) ? new ArrayList<>() : members(row.getString(extra));
    g.writeStartObject();
    for (int i = 0; i < fields.size(); i++) {
      if (row.isNullAt(i)) {
        continue;
      }
      JsonSpec.Field f = fields.get(i);
      Object v = row.get(i);
      g.writeFieldName(f.name);
      switch (f.kind) {
        case STRING:
          g.writeString((String) v);
          break;
        case BOOLEAN:
          g.writeBoolean((Boolean) v);
          break;
        case TIMESTAMP: {
          // the original spelling, when it was not canonical, is the key's first overflow entry
          Member spelling = take(overflow, f.name);
          if (spelling != null) {
            g.writeRawValue(spelling.json());
          } else {
            g.writeString(DateTimeFormatter.ISO_INSTANT.format(((Timestamp) v).toInstant()));
          }
          break;
        }
        case JSON:
          g.writeRawValue((String) v);
          break;
        case STRUCT:
          write(g, f.nested, (Row) v);
          break;
        case STRUCT_ARRAY:
          g.writeStartArray();
          for (Object o : elements(v)) {
            write(g, f.nested, (Row) o);
          }
          g.writeEndArray();
          break;
        default:
          throw new IllegalStateException("unhandled kind " + f.kind);
      }
    }
    for (Member m : overflow) {
      g.writeFieldName(m.key());
      g.writeRawValue(m.json());
    }
    g.writeEndObject();
  }

  private static Member take(List<Member> members, String key) {
    for (int i = 0; i < members.size(); i++) {
      if (members.get(i).key().equals(key)) {
        return members.remove(i);
      }
    }
    return null;
  }

  /** The members of an overflow object's text, in order, duplicates kept. */
  private static List<Member> members(String objectText) {
    List<Member> out = new ArrayList<>();
    byte[] bytes = objectText.getBytes(StandardCharsets.UTF_8);
    try (JsonParser p = FACTORY.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("extra_fields is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          p.skipChildren();
        } else {
          p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        out.add(new Member(key, new String(Arrays.copyOfRange(bytes, start, end),
            StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("extra_fields is not JSON: " + e.getMessage(), e);
    }
    return out;
  }

  private static Iterable<?> elements(Object v) {
    if (v instanceof Object[]) {
      return Arrays.asList((Object[]) v);
    }
    if (v instanceof List) {
      return (List<?>) v;
    }
    // Spark hands arrays to Java as a Scala Seq; read it through its iterator
    scala.collection.Iterator<?> it = ((scala.collection.Iterable<?>) v).iterator();
    List<Object> out = new ArrayList<>();
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** Parses JSON text. */
  public static JsonNode parse(String text) {
    return Json.parse(text);
  }

  /** Compact JSON text of a node. */
  public static String write(JsonNode node) {
    try {
      return Json.MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
