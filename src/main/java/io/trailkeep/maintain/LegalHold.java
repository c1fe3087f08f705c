package io.trailkeep.maintain;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.trailkeep.conf.ConfException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * Data that retention must never delete: accounts, principals or date ranges, given as
 * {@code account=111122223333}, {@code principal=arn:aws:iam::...:user/x},
 * {@code dates=2026-01-01..2026-03-31}, comma-separated. Turned into a Column predicate (never
 * SQL text).
 */
public final class LegalHold {
  private final List<String> accounts = new ArrayList<>();
  private final List<String> principals = new ArrayList<>();
  private final List<LocalDate[]> ranges = new ArrayList<>();
  private final String spec;

  private LegalHold(String spec) {
    this.spec = spec;
  }

  public static LegalHold parse(String spec) {
    LegalHold h = new LegalHold(spec == null ? "" : spec.trim());
    if (h.spec.isEmpty()) {
      return h;
    }
    for (String part : h.spec.split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new ConfException("legal hold entry '" + p + "' must be account=ID, principal=ARN or "
            + "dates=YYYY-MM-DD..YYYY-MM-DD");
      }
      String kind = p.substring(0, eq);
      String value = p.substring(eq + 1);
      switch (kind) {
        case "account":
          h.accounts.add(value);
          break;
        case "principal":
          h.principals.add(value);
          break;
        case "dates":
          String[] d = value.split("\\.\\.");
          try {
            h.ranges.add(new LocalDate[] {LocalDate.parse(d[0]), LocalDate.parse(d[d.length - 1])});
          } catch (DateTimeParseException e) {
            throw new ConfException("legal hold dates '" + value + "' must be YYYY-MM-DD..YYYY-MM-DD");
          }
          break;
        default:
          throw new ConfException("legal hold kind '" + kind + "' is not account, principal or dates");
      }
    }
    return h;
  }

  /**
   * True for rows under hold, for a table with the given columns: accounts match
   * {@code account_id} or {@code log_account_id} (flows), principals match {@code actor_principal}
   * (CloudTrail) or {@code principal_arn} (GuardDuty); date ranges match the partition date.
   */
  public Column protects(List<String> columns, String dateColumn) {
    Column held = lit(false);
    for (String c : List.of("account_id", "log_account_id")) {
      if (!accounts.isEmpty() && columns.contains(c)) {
        held = held.or(col(c).isin(accounts.toArray()));
      }
    }
    for (String c : List.of("actor_principal", "principal_arn")) {
      if (!principals.isEmpty() && columns.contains(c)) {
        held = held.or(col(c).isin(principals.toArray()));
      }
    }
    for (LocalDate[] r : ranges) {
      held = held.or(col(dateColumn).between(java.sql.Date.valueOf(r[0]), java.sql.Date.valueOf(r[1])));
    }
    return held;
  }

  public boolean isEmpty() {
    return spec.isEmpty();
  }

  @Override
  public String toString() {
    return spec;
  }
}
