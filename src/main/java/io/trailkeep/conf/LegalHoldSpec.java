package io.trailkeep.conf;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * What retention must never delete, as configured: accounts, principals and inclusive date
 * ranges, parsed from {@code account=111122223333, principal=arn:aws:iam::...:user/x,
 * dates=2026-01-01..2026-03-31}. The maintain job turns it into a column predicate.
 */
public record LegalHoldSpec(List<String> accounts, List<String> principals, List<DateRange> dates,
    String text) {

  /** An inclusive range of days. */
  public record DateRange(LocalDate from, LocalDate to) {}

  public LegalHoldSpec {
    accounts = List.copyOf(accounts);
    principals = List.copyOf(principals);
    dates = List.copyOf(dates);
  }

  public static LegalHoldSpec parse(String spec) {
    String text = spec == null ? "" : spec.trim();
    List<String> accounts = new ArrayList<>();
    List<String> principals = new ArrayList<>();
    List<DateRange> ranges = new ArrayList<>();
    if (!text.isEmpty()) {
      for (String part : text.split(",")) {
        String p = part.trim();
        int eq = p.indexOf('=');
        if (eq <= 0) {
          throw new ConfException("entry '" + p + "' must be account=ID, principal=ARN or "
              + "dates=YYYY-MM-DD..YYYY-MM-DD");
        }
        String kind = p.substring(0, eq);
        String value = p.substring(eq + 1);
        switch (kind) {
          case "account":
            accounts.add(value);
            break;
          case "principal":
            principals.add(value);
            break;
          case "dates":
            String[] d = value.split("\\.\\.");
            try {
              ranges.add(new DateRange(LocalDate.parse(d[0]), LocalDate.parse(d[d.length - 1])));
            } catch (DateTimeParseException e) {
              throw new ConfException("dates '" + value + "' must be YYYY-MM-DD..YYYY-MM-DD");
            }
            break;
          default:
            throw new ConfException("kind '" + kind + "' is not account, principal or dates");
        }
      }
    }
    return new LegalHoldSpec(accounts, principals, ranges, text);
  }

  public boolean isEmpty() {
    return text.isEmpty();
  }

  @Override
  public String toString() {
    return text;
  }
}
