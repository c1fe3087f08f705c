package io.trailkeep.maintain;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.trailkeep.conf.LegalHoldSpec;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * Data that retention must never delete ({@link LegalHoldSpec}: accounts, principals, date ranges),
 * as a Column predicate over a table's own columns (never SQL text).
 */
final class LegalHold {
  private LegalHold() {}

  /**
   * True for rows under hold, for a table with the given columns: accounts match
   * {@code account_id} or {@code log_account_id} (flows), principals match {@code actor_principal}
   * (CloudTrail) or {@code principal_arn} (GuardDuty); date ranges match the partition date.
   */
  static Column protects(LegalHoldSpec hold, List<String> columns, String dateColumn) {
    Column held = lit(false);
    for (String c : List.of("account_id", "log_account_id")) {
      if (!hold.accounts().isEmpty() && columns.contains(c)) {
        held = held.or(col(c).isin(hold.accounts().toArray()));
      }
    }
    for (String c : List.of("actor_principal", "principal_arn")) {
      if (!hold.principals().isEmpty() && columns.contains(c)) {
        held = held.or(col(c).isin(hold.principals().toArray()));
      }
    }
    for (LegalHoldSpec.DateRange r : hold.dates()) {
      held = held.or(col(dateColumn).between(Date.valueOf(r.from()), Date.valueOf(r.to())));
    }
    return held;
  }
}
