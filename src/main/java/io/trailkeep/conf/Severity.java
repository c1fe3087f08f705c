package io.trailkeep.conf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The severities of rules, alerts, findings and incidents, lowest first: the one list of them.
 * Stored and printed in lower case ({@link #label()}). No side effects.
 */
public enum Severity {
  INFO, LOW, MEDIUM, HIGH, CRITICAL;

  /** The lower-case name tables, rule files and summaries use. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Every label, lowest first. */
  public static List<String> labels() {
    return labelsFrom(INFO);
  }

  /** The labels from {@code least} up. */
  public static List<String> labelsFrom(Severity least) {
    List<String> out = new ArrayList<>();
    for (Severity s : values()) {
      if (s.compareTo(least) >= 0) {
        out.add(s.label());
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** The rank of a label (0 for info); -1 for null or an unknown label. */
  public static int rank(String label) {
    if (label == null) {
      return -1;
    }
    for (Severity s : values()) {
      if (s.label().equals(label.toLowerCase(Locale.ROOT))) {
        return s.ordinal();
      }
    }
    return -1;
  }
}
