package io.trailkeep.spark.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Decides, by parsing and never by matching keywords, whether a SQL statement only reads: the
 * session's own parser (with Delta's extensions) turns the text into a logical plan, and the plan
 * is read-only when none of its nodes is a command other than the read-only ones (SHOW,
 * DESCRIBE, EXPLAIN) and none is a write statement Delta's parser returns outside Spark's command
 * type (INSERT, RESTORE, CLONE, ...). Nothing runs.
 *
 * <p>Internal API, and what breaks on an upgrade: {@code SparkSession.sessionState().sqlParser()},
 * Catalyst's {@link LogicalPlan} and {@link Command}, and the plan node class names below (Spark
 * 3.5 and 4 share them; Delta 3.3 and 4 share theirs). A new write command in a later version is
 * a {@link Command} and is refused, because only the listed commands are allowed.
 */
public final class SqlStatements {
  private SqlStatements() {}

  /** Commands that only read. */
  private static final Set<String> READ_ONLY_COMMANDS = Set.of("ShowTables", "ShowTablesExtended",
      "ShowTableExtended", "ShowViews", "ShowColumns", "ShowTableProperties", "ShowCreateTable",
      "ShowPartitions", "ShowFunctions", "ShowNamespaces", "ShowCatalogs", "DescribeRelation",
      "DescribeColumn", "DescribeFunction", "DescribeNamespace", "DescribeQueryCommand",
      "ExplainCommand", "DescribeDeltaDetailCommand", "DescribeDeltaHistoryCommand");

  /** Write statements that are not Spark commands (Delta's RESTORE and CLONE, INSERT). */
  private static boolean isWriteStatement(String node) {
    return node.endsWith("Statement") || node.contains("Insert") || node.contains("Restore")
        || node.contains("Clone") || node.contains("Convert") || node.contains("Reorg")
        || node.contains("Vacuum") || node.contains("Optimize");
  }

  /** What a statement is: whether it only reads, and the plan nodes that write (if any). */
  public record Statement(boolean readOnly, List<String> writingNodes) {}

  /** A statement the parser rejects: its reason and position, as the parser reports them. */
  public static final class SyntaxError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SyntaxError(String message) {
      super(message);
    }
  }

  public static Statement classify(SparkSession spark, String sql) {
    LogicalPlan plan;
    try {
      plan = spark.sessionState().sqlParser().parsePlan(sql);
    } catch (ParseException e) {
      throw new SyntaxError(firstLine(e.getMessage()));
    }
    List<String> writing = new ArrayList<>();
    plan.foreach(new AbstractFunction1<LogicalPlan, BoxedUnit>() {
      @Override
      public BoxedUnit apply(LogicalPlan node) {
        String name = node.getClass().getSimpleName();
        boolean command = node instanceof Command;
        if ((command && !READ_ONLY_COMMANDS.contains(name)) || (!command && isWriteStatement(name))) {
          writing.add(name);
        }
        return BoxedUnit.UNIT;
      }
    });
    return new Statement(writing.isEmpty(), List.copyOf(writing));
  }

  private static String firstLine(String message) {
    for (String line : message.split("\n")) {
      if (!line.isBlank()) {
        return line.trim();
      }
    }
    return message;
  }
}
