package io.trailkeep.generate;

import io.trailkeep.conf.ConfKey;
import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Instance;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import io.trailkeep.generate.Scenario.Event;
import io.trailkeep.generate.Scenario.FindingExport;
import io.trailkeep.generate.Scenario.Flow;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What scenarios are written with: CloudTrail calls by a principal from the attacker's (or any)
 * address, flow records on an instance, GuardDuty findings exported one or more times, and the
 * ground truth that lists them by phase with the rules expected to fire. One per planned scenario;
 * not thread-safe.
 */
final class ScenarioSteps {
  /** An account outside the organization that attackers use (AWS documentation's example id). */
  static final String FOREIGN_ACCOUNT = "444455556666";

  final Scenario.Context c;
  final String name;
  final List<Event> events = new ArrayList<>();
  final List<Flow> flows = new ArrayList<>();
  final List<FindingExport> findings = new ArrayList<>();
  private final Map<String, List<String>> phases = new LinkedHashMap<>();
  private final Map<String, String> findingIds = new LinkedHashMap<>();
  private final Map<String, Object> entities = new LinkedHashMap<>();
  String sourceIp;
  String userAgent;

  ScenarioSteps(Scenario.Context c, String name, String sourceIp, String userAgent) {
    this.c = c;
    this.name = name;
    this.sourceIp = sourceIp;
    this.userAgent = userAgent;
  }

  /**
   * A scenario's start: the time {@code fraction} of the way through the generated span (after its
   * learning period, {@link #learningSeconds}), on a whole second. In the concurrent layout,
   * fractions 0.30 to 0.85 map into the six minutes from 3 hours after the middle of that part
   * ({@link #concurrentStart}), so the scenarios (minutes to an hour long) run at the same time,
   * several in one account.
   */
  static Instant at(Scenario.Context c, double fraction) {
    long span = Duration.between(c.spanStart, c.spanEnd).getSeconds();
    long quiet = learningSeconds(span);
    long offset = c.concurrent ? concurrentStart(span) + (long) ((fraction - 0.30) * 600)
        : quiet + (long) ((span - quiet) * fraction);
    return c.spanStart.plusSeconds(offset).truncatedTo(ChronoUnit.SECONDS);
  }

  /**
   * The span's opening weeks left to background alone: the learning period of the
   * unusual-activity rules ({@code detect.learning-days}, 7 by default) when the span is longer,
   * so the scenarios happen once the baselines know every principal; none in shorter spans.
   */
  static long learningSeconds(long spanSeconds) {
    long learning = ConfKey.DETECT_LEARNING_DAYS.defaultValue() * 86400L;
    return spanSeconds > learning ? learning : 0;
  }

  /** Seconds from the span's start to the concurrent layout's first scenario. */
  static long concurrentStart(long spanSeconds) {
    long quiet = learningSeconds(spanSeconds);
    return Math.max(3600, quiet + (spanSeconds - quiet) / 2 + 3 * 3600);
  }

  /** Account {@code index} of the organization (wrapping when it has fewer). */
  static Account account(Scenario.Context c, int index) {
    return c.org.accounts.get(index % c.org.accounts.size());
  }

  /** The account's first principal of {@code kind} accepted by {@code wanted}, else any of it. */
  static Principal principal(Account a, PrincipalKind kind, java.util.function.Predicate<Principal> wanted) {
    Principal any = null;
    for (Principal p : a.principals) {
      if (p.kind == kind) {
        if (wanted.test(p)) {
          return p;
        }
        any = any == null ? p : any;
      }
    }
    if (any == null) {
      throw new IllegalStateException("account " + a.id + " has no principal of kind " + kind);
    }
    return any;
  }

  /** One CloudTrail call from the scenario's address and agent; {@code extra} adjusts the spec. */
  Event call(String phase, Principal who, String region, Instant t, String api, String request,
      String response, Consumer<RecordFactory.Spec> extra) {
    String[] parts = api.split(":", 2);
    RecordFactory.Spec s = new RecordFactory.Spec();
    s.principal = who;
    s.api = c.catalog.get(parts[0], parts[1]);
    s.time = t;
    s.region = region;
    s.sourceIp = sourceIp;
    s.userAgent = userAgent;
    s.requestParametersJson = request;
    s.responseElementsJson = response;
    if (extra != null) {
      extra.accept(s);
    }
    RecordFactory.Written w = c.records.write(s, c.random);
    Event e = new Event(who.account.id, region, t, w.json, w.eventId);
    events.add(e);
    phases.computeIfAbsent(phase, k -> new ArrayList<>()).add(w.eventId);
    return e;
  }

  Event call(String phase, Principal who, String region, Instant t, String api, String request) {
    return call(phase, who, region, t, api, request, null, null);
  }

  /** The same call refused: AccessDenied with the message IAM writes. */
  static Consumer<RecordFactory.Spec> denied(Principal who, String action) {
    return s -> {
      s.errorCode = action.startsWith("ec2:") ? "Client.UnauthorizedOperation" : "AccessDenied";
      s.errorMessage = "User: arn:aws:iam::" + who.account.id + ":user/" + who.name
          + " is not authorized to perform: " + action;
    };
  }

  /** A flow record on {@code inst}'s interface. */
  FlowRecord flow(Account a, Instance inst, long start, String direction, String src, String dst,
      int srcPort, int dstPort, long packets, long bytes, String action) {
    FlowRecord f = FlowWriter.onInstance(a, inst.region, inst, start, direction);
    FlowWriter.conn(f, src, dst, srcPort, dstPort, 6, packets, bytes, action.equals("ACCEPT") ? 19 : 2);
    f.action = action;
    flows.add(new Flow(a.id, inst.region, f));
    return f;
  }

  /** A finding, exported {@code exports} times an hour apart (updated each time); returns its id. */
  String finding(Account a, String type, FindingFactory.Resource resource, double severity,
      Principal principal, Instance instance, String region, Instant created, int exports) {
    FindingFactory.Spec s = new FindingFactory.Spec();
    s.type = type;
    s.resource = resource;
    s.severity = severity;
    s.account = a;
    s.region = region;
    s.createdAt = created;
    s.remoteIp = sourceIp;
    s.principal = principal;
    s.instance = instance;
    s.id = Ids.hex(c.random, 32);
    for (int i = 0; i < exports; i++) {
      s.updatedAt = created.plusSeconds(3600L * i);
      s.count = 1 + 5L * i;
      findings.add(new FindingExport(a.id, region, s.updatedAt.plusSeconds(300),
          c.findings.write(s, c.random)));
    }
    findingIds.put(type, s.id);
    return s.id;
  }

  /** Records an entity of the ground truth. */
  ScenarioSteps entity(String key, Object value) {
    entities.put(key, value);
    return this;
  }

  /**
   * The ground truth: account, region and span, entities, eventIDs per phase, the attack's
   * eventIDs ({@code event_ids}: every phase but {@link #CONTEXT_PHASES}, which go to
   * {@code context_event_ids}), MITRE
   * ids, findings, flow records, and the rules expected to fire ({@code expected_rules}), those
   * that fire once the lake holds the learning period before the scenario
   * ({@code expected_rules_after_learning}) and, for benign look-alikes, rules that must not fire
   * on its events ({@code must_not_fire}).
   */
  Scenario.Planned planned(Account a, String region, List<String> mitre, List<String> expected,
      List<String> afterLearning, List<String> mustNotFire) {
    Map<String, Object> truth = new LinkedHashMap<>();
    truth.put("scenario", name);
    truth.put("account_id", a.id);
    truth.put("region", region);
    Instant first = null;
    Instant last = null;
    for (Event e : events) {
      first = first == null || e.time.isBefore(first) ? e.time : first;
      last = last == null || e.time.isAfter(last) ? e.time : last;
    }
    truth.put("start", first == null ? null : fmt(first));
    truth.put("end", last == null ? null : fmt(last));
    truth.put("entities", entities);
    truth.put("phases", phases);
    List<String> all = new ArrayList<>();
    List<String> context = new ArrayList<>();
    phases.forEach((phase, ids) -> (CONTEXT_PHASES.contains(phase) ? context : all).addAll(ids));
    truth.put("event_ids", all);
    truth.put("context_event_ids", context);
    truth.put("mitre", mitre);
    truth.put("flow_records", flows.size());
    truth.put("findings", findingIds);
    truth.put("benign", !mustNotFire.isEmpty() && expected.isEmpty());
    truth.put("expected_rules", expected);
    truth.put("expected_rules_after_learning", afterLearning);
    truth.put("must_not_fire", mustNotFire);
    return new Scenario.Planned(events, flows, findings, truth);
  }

  /**
   * Phases that are the victim's own routine work, planned so the rules see the normal
   * behaviour the attack departs from; not the attacker's events.
   */
  static final java.util.Set<String> CONTEXT_PHASES = java.util.Set.of("normal_use");

  static String fmt(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }

  /** JSON string literal of {@code s} (scenario values are plain, but quotes must still be escaped). */
  static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
