package io.trailkeep.schema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Declares how one JSON object maps onto a Spark struct: its known fields, each with a
 * {@link Kind}, followed by an overflow column {@value #EXTRA} holding, as a JSON object text,
 * every key that is not declared, whose value has an unexpected JSON type, or that is explicitly
 * {@code null}. Known fields plus the overflow always reconstruct the input object, so a spec is
 * lossless by construction. Immutable and serializable (shipped to executors).
 */
public final class JsonSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Name of the overflow column in every spec-derived struct. */
  public static final String EXTRA = "extra_fields";

  /** How a known field is typed. */
  public enum Kind {
    /** JSON string to Spark string. */
    STRING,
    /** JSON boolean to Spark boolean. */
    BOOLEAN,
    /** ISO-8601 UTC string to Spark timestamp; non-canonical text is also kept in the overflow. */
    TIMESTAMP,
    /** Any JSON value kept as its exact text (objects, arrays, scalars). */
    JSON,
    /** Nested object with its own spec. */
    STRUCT,
    /** Array of objects with one spec. */
    STRUCT_ARRAY
  }

  /** One declared field. */
  public static final class Field implements Serializable {
    private static final long serialVersionUID = 1L;
    public final String name;
    public final Kind kind;
    public final JsonSpec nested;

    Field(String name, Kind kind, JsonSpec nested) {
      this.name = name;
      this.kind = kind;
      this.nested = nested;
    }
  }

  private final List<Field> fields;
  private final Map<String, Integer> index;

  private JsonSpec(List<Field> fields) {
    this.fields = Collections.unmodifiableList(fields);
    Map<String, Integer> idx = new HashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      idx.put(fields.get(i).name, i);
    }
    this.index = idx;
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Field> fields() {
    return fields;
  }

  /** Position of a declared field, or -1. */
  public int indexOf(String name) {
    Integer i = index.get(name);
    return i == null ? -1 : i;
  }

  /** Number of values in a parsed struct: the fields plus the overflow. */
  public int width() {
    return fields.size() + 1;
  }

  /** The Spark struct: declared fields in order, then {@value #EXTRA}. */
  public StructType sparkType() {
    List<StructField> out = new ArrayList<>();
    for (Field f : fields) {
      out.add(DataTypes.createStructField(f.name, sparkType(f), true));
    }
    out.add(DataTypes.createStructField(EXTRA, DataTypes.StringType, true));
    return DataTypes.createStructType(out);
  }

  private static DataType sparkType(Field f) {
    switch (f.kind) {
      case BOOLEAN:
        return DataTypes.BooleanType;
      case TIMESTAMP:
        return DataTypes.TimestampType;
      case STRUCT:
        return f.nested.sparkType();
      case STRUCT_ARRAY:
        return DataTypes.createArrayType(f.nested.sparkType(), true);
      default:
        return DataTypes.StringType;
    }
  }

  /** Fluent declaration of a spec. */
  public static final class Builder {
    private final List<Field> fields = new ArrayList<>();

    public Builder string(String... names) {
      for (String n : names) {
        fields.add(new Field(n, Kind.STRING, null));
      }
      return this;
    }

    public Builder bool(String... names) {
      for (String n : names) {
        fields.add(new Field(n, Kind.BOOLEAN, null));
      }
      return this;
    }

    public Builder timestamp(String name) {
      fields.add(new Field(name, Kind.TIMESTAMP, null));
      return this;
    }

    public Builder json(String... names) {
      for (String n : names) {
        fields.add(new Field(n, Kind.JSON, null));
      }
      return this;
    }

    public Builder struct(String name, JsonSpec nested) {
      fields.add(new Field(name, Kind.STRUCT, nested));
      return this;
    }

    public Builder structArray(String name, JsonSpec nested) {
      fields.add(new Field(name, Kind.STRUCT_ARRAY, nested));
      return this;
    }

    public JsonSpec build() {
      return new JsonSpec(new ArrayList<>(fields));
    }
  }
}
