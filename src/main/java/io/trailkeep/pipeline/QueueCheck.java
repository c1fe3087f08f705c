package io.trailkeep.pipeline;

import io.trailkeep.conf.Severity;
import io.trailkeep.correlate.IncidentQueue;
import io.trailkeep.lake.Lake;
import io.trailkeep.schema.IncidentTables;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;

/**
 * The incident queue as an analyst meets it ({@link IncidentQueue}'s order), measured against the
 * generator's ground truth: how many high or critical incidents hold no attack event, how many
 * incidents there are per attack, what share of the top k (k = the attacks) hold an attack, and
 * the best rank a benign look-alike reaches. Cost: one sort of the incidents table, collected (a
 * few columns per incident). No side effects.
 */
public final class QueueCheck {
  private QueueCheck() {}

  /**
   * The figures. {@code ranks}: per scenario (look-alikes too), the rank of its incident (the one
   * holding most of its events), absent when none holds them. {@code benignRank}: the best rank of
   * an incident holding a look-alike's events, null when none does. {@code benignCritical}: whether
   * one of those is critical.
   */
  public record Figures(long incidents, long falseHighIncidents, double falseHighPerAttack,
      double incidentsPerAttack, double precisionAtK, Map<String, Integer> ranks, Integer benignRank,
      boolean benignCritical) {}

  /** The queue of {@code lake} against the scenario outcomes of {@link IncidentCheck}. */
  public static Figures check(Lake lake, List<IncidentCheck.Outcome> outcomes) {
    Set<String> attackHeld = new HashSet<>();
    Set<String> benignHeld = new HashSet<>();
    int attacks = 0;
    for (IncidentCheck.Outcome o : outcomes) {
      (o.benign() ? benignHeld : attackHeld).addAll(o.incidents());
      attacks += o.benign() ? 0 : 1;
    }
    Map<String, Integer> rank = new HashMap<>();
    Map<String, String> severity = new HashMap<>();
    long incidents = 0;
    long falseHigh = 0;
    int topHolding = 0;
    if (lake.exists(IncidentTables.INCIDENTS)) {
      for (Row r : IncidentQueue.sorted(lake.read(IncidentTables.INCIDENTS)).select("incident_id", "severity")
          .collectAsList()) {
        incidents++;
        int position = (int) incidents;
        rank.put(r.getString(0), position);
        severity.put(r.getString(0), r.getString(1));
        boolean high = Severity.rank(r.getString(1)) >= Severity.rank("high");
        if (high && !attackHeld.contains(r.getString(0))) {
          falseHigh++;
        }
        if (position <= attacks && attackHeld.contains(r.getString(0))) {
          topHolding++;
        }
      }
    }
    Map<String, Integer> ranks = new java.util.TreeMap<>();
    Integer benignRank = null;
    boolean benignCritical = false;
    for (IncidentCheck.Outcome o : outcomes) {
      // an incident of the timeline without its incidents row (a crash between the two commits) has no rank
      if (o.incident() != null && rank.containsKey(o.incident())) {
        ranks.put(o.scenario(), rank.get(o.incident()));
      }
      if (o.benign()) {
        for (String id : o.incidents()) {
          Integer r = rank.get(id);
          benignRank = r == null ? benignRank : benignRank == null || r < benignRank ? r : benignRank;
          benignCritical |= "critical".equals(severity.get(id));
        }
      }
    }
    double perAttack = attacks == 0 ? 0 : 1.0 / attacks;
    return new Figures(incidents, falseHigh, falseHigh * perAttack, incidents * perAttack,
        attacks == 0 ? 1.0 : (double) topHolding / attacks, ranks, benignRank, benignCritical);
  }
}
