package io.trailkeep.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Timestamp;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Rebuilds the original JSON object of a row from its {@link JsonSpec} columns plus the
 * {@code extra_fields} overflow (overflow entries win, so non-canonical spellings come back as they
 * were). The result is semantically equal to the delivered record: same keys, same values; key
 * order and insignificant whitespace may differ. Builds a tree: meant for evidence export and
 * verification, not for the ingest hot path.
 */
public final class RecordJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RecordJson() {}

  /** The record of a table row whose leading columns follow {@code spec}. */
  public static ObjectNode toJson(JsonSpec spec, Row row) {
    ObjectNode out = MAPPER.createObjectNode();
    java.util.List<JsonSpec.Field> fields = spec.fields();
    for (int i = 0; i < fields.size(); i++) {
      if (row.isNullAt(i)) {
        continue;
      }
      JsonSpec.Field f = fields.get(i);
      Object v = row.get(i);
      switch (f.kind) {
        case STRING:
          out.put(f.name, (String) v);
          break;
        case BOOLEAN:
          out.put(f.name, (Boolean) v);
          break;
        case TIMESTAMP:
          out.put(f.name, DateTimeFormatter.ISO_INSTANT.format(((Timestamp) v).toInstant()));
          break;
        case JSON:
          out.set(f.name, parse((String) v));
          break;
        case STRUCT:
          out.set(f.name, toJson(f.nested, (Row) v));
          break;
        case STRUCT_ARRAY: {
          ArrayNode arr = out.putArray(f.name);
          for (Object o : asIterable(v)) {
            arr.add(toJson(f.nested, (Row) o));
          }
          break;
        }
        default:
          throw new IllegalStateException("unhandled kind " + f.kind);
      }
    }
    int extra = fields.size();
    if (!row.isNullAt(extra)) {
      JsonNode overflow = parse(row.getString(extra));
      Iterator<Map.Entry<String, JsonNode>> it = overflow.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        out.set(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static Iterable<?> asIterable(Object v) {
    if (v instanceof Object[]) {
      return java.util.Arrays.asList((Object[]) v);
    }
    if (v instanceof java.util.List) {
      return (java.util.List<?>) v;
    }
    // Spark hands arrays to Java as a Scala Seq; convert through its Java-friendly iterator.
    scala.collection.Iterator<?> it = ((scala.collection.Iterable<?>) v).iterator();
    java.util.List<Object> out = new java.util.ArrayList<>();
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** Parses JSON text. */
  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Compact JSON text of a node. */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
