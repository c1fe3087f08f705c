package io.trailkeep.spark.internal;

import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * DataFrames over rows the parsers build as plain Java values (String, Boolean, Integer, Long,
 * Double, {@link Timestamp}, {@link Date}, {@link Row} for structs, {@code Row[]} for arrays of
 * structs, in schema order), converted straight into Spark's internal row format.
 *
 * <p>Why internal API: encoding external {@code Row}s was 17% of the executors' time in an ingest
 * profile, and a DataFrame built from {@code Row}s is cached as compressed column batches
 * (another 28%). What it uses, and what breaks on an upgrade:
 * <ul>
 *   <li>{@code SparkSession.internalCreateDataFrame(RDD, StructType, boolean)}: Scala
 *       package-private, called by reflection; present with this signature in Spark 3.5 and 4.0/4.1
 *       (the classic session). If it disappears, {@link #dataFrame} fails with a message naming it.
 *   <li>Catalyst's {@code GenericInternalRow}, {@code GenericArrayData}, {@code UTF8String} and
 *       {@code DateTimeUtils.fromJavaTimestamp/fromJavaDate} for the value conversion: stable for
 *       years but not public API.
 *   <li>{@code Dataset.queryExecution().toRdd()} in {@link #detached}.
 * </ul>
 * Dates and timestamps convert with Spark's own functions, so stored values equal what the
 * encoder would produce. Cost: one object per value, no code generation. Thread-safe.
 */
public final class InternalRows implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Converter[] fields;

  private interface Converter extends Serializable {
    Object apply(Object value);
  }

  private InternalRows(StructType schema) {
    this.fields = converters(schema);
  }

  /** The internal row of {@code values}, given in schema order; the array is reused as storage. */
  private InternalRow row(Object[] values) {
    for (int i = 0; i < fields.length; i++) {
      Object v = values[i];
      values[i] = v == null ? null : fields[i].apply(v);
    }
    return new GenericInternalRow(values);
  }

  private static Converter[] converters(StructType schema) {
    Converter[] out = new Converter[schema.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = converter(schema.fields()[i].dataType());
    }
    return out;
  }

  private static Converter converter(DataType type) {
    if (type instanceof StringType) {
      return v -> UTF8String.fromString((String) v);
    }
    if (type instanceof BooleanType || type instanceof IntegerType || type instanceof LongType
        || type instanceof DoubleType) {
      return v -> v;
    }
    if (type instanceof TimestampType) {
      return v -> DateTimeUtils.fromJavaTimestamp((Timestamp) v);
    }
    if (type instanceof DateType) {
      return v -> DateTimeUtils.fromJavaDate((Date) v);
    }
    if (type instanceof StructType) {
      Converter[] nested = converters((StructType) type);
      return v -> struct(nested, (Row) v);
    }
    if (type instanceof ArrayType) {
      Converter element = converter(((ArrayType) type).elementType());
      return v -> {
        Object[] in = (Object[]) v;
        Object[] out = new Object[in.length];
        for (int i = 0; i < in.length; i++) {
          out[i] = in[i] == null ? null : element.apply(in[i]);
        }
        return new GenericArrayData(out);
      };
    }
    throw new IllegalArgumentException("no internal conversion for column type " + type);
  }

  private static InternalRow struct(Converter[] fields, Row row) {
    Object[] out = new Object[fields.length];
    for (int i = 0; i < out.length; i++) {
      Object v = row.get(i);
      out[i] = v == null ? null : fields[i].apply(v);
    }
    return new GenericInternalRow(out);
  }

  /**
   * A DataFrame of {@code schema} over {@code rows} (plain Java values in schema order). The
   * conversion runs in executors as the rows are read; nothing is cached here.
   */
  public static Dataset<Row> dataFrame(SparkSession spark, JavaRDD<Object[]> rows, StructType schema) {
    InternalRows conv = new InternalRows(schema);
    RDD<InternalRow> internal = rows.mapPartitions((Iterator<Object[]> it) -> new Iterator<InternalRow>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public InternalRow next() {
        return conv.row(it.next());
      }
    }, true).rdd();
    return fromInternal(spark, internal, schema);
  }

  /**
   * The same rows as {@code planned}, planned now and detached from its source: a cached result
   * built on it is not re-planned when its source (a Delta table) is written later in the job.
   */
  public static Dataset<Row> detached(Dataset<Row> planned) {
    return fromInternal(planned.sparkSession(), planned.queryExecution().toRdd(), planned.schema());
  }

  @SuppressWarnings("unchecked")
  private static Dataset<Row> fromInternal(SparkSession spark, RDD<InternalRow> rows, StructType schema) {
    try {
      Method m = spark.getClass().getMethod("internalCreateDataFrame", RDD.class, StructType.class,
          boolean.class);
      return (Dataset<Row>) m.invoke(spark, rows, schema, false);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException ? (RuntimeException) cause
          : new IllegalStateException(cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this Spark version has no internalCreateDataFrame("
          + "RDD, StructType, boolean); TrailKeep supports Spark 3.5 and 4", e);
    }
  }
}
