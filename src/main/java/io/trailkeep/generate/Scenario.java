package io.trailkeep.generate;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A named attack injected into generated data. It plans its records up front (they are few),
 * and describes its ground truth: the eventIDs involved, the entities and the time span, written
 * to {@code <raw>/ground-truth/<name>.json} for detection and correlation tests.
 */
public interface Scenario {

  /** The --scenarios name. */
  String name();

  /** Plans the scenario's records inside the generated span. */
  Planned plan(Context context);

  /** What a scenario gets to plan with. */
  final class Context {
    final Org org;
    final Instant spanStart;
    final Instant spanEnd;
    final RecordFactory records;
    final EventCatalog catalog;
    final FindingFactory findings;
    final SplittableRandom random;
    /** All scenarios within half an hour of each other ({@link ScenarioSteps#at}). */
    final boolean concurrent;

    Context(Org org, Instant spanStart, Instant spanEnd, RecordFactory records, EventCatalog catalog,
        FindingFactory findings, SplittableRandom random, boolean concurrent) {
      this.concurrent = concurrent;
      this.org = org;
      this.spanStart = spanStart;
      this.spanEnd = spanEnd;
      this.records = records;
      this.catalog = catalog;
      this.findings = findings;
      this.random = random;
    }
  }

  /** One planned record, routed to the file of its account, region and time. */
  final class Event {
    final String accountId;
    final String region;
    final Instant time;
    final String json;
    final String eventId;

    Event(String accountId, String region, Instant time, String json, String eventId) {
      this.accountId = accountId;
      this.region = region;
      this.time = time;
      this.json = json;
      this.eventId = eventId;
    }
  }

  /** One planned flow-log record, routed to the flow file of its account, region and time. */
  final class Flow {
    final String accountId;
    final String region;
    final FlowRecord record;

    Flow(String accountId, String region, FlowRecord record) {
      this.accountId = accountId;
      this.region = region;
      this.record = record;
    }
  }

  /** One export of a GuardDuty finding version. */
  final class FindingExport {
    final String accountId;
    final String region;
    final Instant exportedAt;
    final String json;

    FindingExport(String accountId, String region, Instant exportedAt, String json) {
      this.accountId = accountId;
      this.region = region;
      this.exportedAt = exportedAt;
      this.json = json;
    }
  }

  /** The plan: CloudTrail records, flow records and finding exports, plus ground truth. */
  final class Planned {
    final List<Event> events;
    final List<Flow> flows;
    final List<FindingExport> findings;
    final Map<String, Object> groundTruth;

    Planned(List<Event> events, List<Flow> flows, List<FindingExport> findings,
        Map<String, Object> groundTruth) {
      this.events = events;
      this.flows = flows;
      this.findings = findings;
      this.groundTruth = groundTruth;
    }
  }
}
