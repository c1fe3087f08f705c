package io.trailkeep.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.trailkeep.schema.RecordJson;
import io.trailkeep.schema.VpcFlowTable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** Renders a vpc_flow row back into the values of a flow-log line, for round-trip checks. */
public final class FlowLines {
  private FlowLines() {}

  /** The tokens of a text line, split on runs of whitespace. */
  public static List<String> tokens(String line) {
    return Arrays.asList(line.trim().split("\\s+"));
  }

  /**
   * The line's values as the row holds them, in {@code header} order: typed columns printed as
   * flow logs print them, {@code other_fields} entries verbatim, null as {@code -}.
   */
  public static List<String> render(Function<String, Object> column, List<String> header) {
    Object otherText = column.apply(VpcFlowTable.OTHER_FIELDS);
    JsonNode other = otherText == null ? null : RecordJson.parse((String) otherText);
    List<String> out = new ArrayList<>();
    for (String name : header) {
      VpcFlowTable.Field f = VpcFlowTable.field(name);
      Object v = f == null ? null : column.apply(f.column);
      if (v instanceof Timestamp) {
        out.add(String.valueOf(((Timestamp) v).getTime() / 1000));
      } else if (v != null) {
        out.add(String.valueOf(v));
      } else if (other != null && other.has(name)) {
        out.add(other.get(name).asText());
      } else {
        out.add("-");
      }
    }
    return out;
  }

  /** Column accessor over a parser's value array. */
  public static Function<String, Object> of(Object[] values) {
    return c -> values[VpcFlowTable.indexOf(c)];
  }
}
