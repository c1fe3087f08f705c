package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Principal;
import io.trailkeep.generate.Org.PrincipalKind;
import io.trailkeep.json.Json;
import io.trailkeep.storage.AwsLogKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A generated organization's CloudTrail deliveries: for each account, region and 5-minute window a
 * log file of background events (principals by their habits and hours, about 250 event names by
 * frequency, errors, console sign-ins) plus any planned scenario events, unsorted, a few late
 * records, and about 0.2% of records delivered again in the next file; Insights files; and each
 * log file handed to its region's {@link DigestChain}. Deterministic per (seed, account, region,
 * window). The home region's files also carry the STS calls that issue each session of the
 * account's temporary credentials ({@link SessionIssuance}). Memory: one file at a time.
 */
final class CloudTrailDeliveries {
  private static final String[] GLOBAL = {"iam", "organizations", "route53", "signin", "sso"};

  /** What one day of one account-region wrote. */
  record Written(long events, long files, long duplicates, long bytes) {
    static final Written NONE = new Written(0, 0, 0, 0);

    Written plus(Written o) {
      return new Written(events + o.events, files + o.files, duplicates + o.duplicates, bytes + o.bytes);
    }
  }

  private final RawWriter out;
  private final Org org;
  private final long seed;
  private final double duplicateRate;
  private final EventCatalog catalog;
  private final RecordFactory records;
  private final SessionIssuance issuance;

  CloudTrailDeliveries(RawWriter out, Org org, long seed, double duplicateRate, EventCatalog catalog,
      RecordFactory records) {
    this.out = out;
    this.org = org;
    this.seed = seed;
    this.duplicateRate = duplicateRate;
    this.catalog = catalog;
    this.records = records;
    this.issuance = new SessionIssuance(seed, catalog, records);
  }

  /**
   * One day of log files of {@code a} in {@code region}: about {@code perWindow} events per window
   * before weighting, plus {@code planned} events keyed by {@link Generator#windowKey}; each file
   * goes to {@code digests}; {@code flows} writes the same window's flow logs.
   */
  Written day(Account a, String region, LocalDate day, double perWindow,
      Map<String, List<Scenario.Event>> planned, DigestChain digests, FlowDeliveries flows) {
    long dayStart = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    String carried = null;
    Instant carriedTime = null;
    boolean home = region.equals("us-east-1");
    double weight = regionWeight(region);
    Written total = Written.NONE;
    for (int w = 0; w < 288; w++) {
      long windowStart = dayStart + w * 300L;
      SplittableRandom r = new SplittableRandom(Randoms.mix(seed, a.id.hashCode(), region.hashCode(),
          windowStart));
      int hour = w / 12;
      double lambda = perWindow * weight * diurnal(hour);
      int count = Randoms.poisson(r, lambda);
      flows.window(a, region, windowStart, lambda);
      List<String> body = new ArrayList<>(count + 2);
      List<Instant> times = new ArrayList<>(count + 2);
      for (int i = 0; i < count; i++) {
        Principal p = pickPrincipal(r, a, hour);
        String service = p.services.get(r.nextInt(p.services.size()));
        if (!home && isGlobal(service)) {
          service = "ec2".equals(service) ? "s3" : regionalFallback(p);
        }
        boolean human = p.kind == PrincipalKind.IAM_USER && p.mfa;
        if (p.kind == PrincipalKind.ROOT || (human && r.nextInt(60) == 0)) {
          service = home ? "signin" : service;
        }
        RecordFactory.Spec s = new RecordFactory.Spec();
        s.principal = p;
        s.api = catalog.pick(r, service);
        s.region = home && isGlobal(service) ? "us-east-1" : region;
        long late = r.nextInt(200) == 0 ? r.nextInt(3600) : 0;
        s.time = Instant.ofEpochSecond(Math.max(dayStart, windowStart + r.nextInt(300) - late));
        maybeError(r, s);
        body.add(records.write(s, r).json);
        times.add(s.time);
      }
      for (Scenario.Event e : planned.getOrDefault(Generator.windowKey(a.id, region,
          Instant.ofEpochSecond(windowStart)), List.of())) {
        body.add(e.json);
        times.add(e.time);
      }
      if (home) {
        for (SessionIssuance.Issued i : issuance.window(a, windowStart, 300)) {
          body.add(i.json());
          times.add(i.time());
        }
      }
      long duplicates = 0;
      if (carried != null) {
        body.add(carried);
        times.add(carriedTime);
        duplicates++;
        carried = null;
      }
      if (body.isEmpty()) {
        continue;
      }
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < body.size(); i++) {
        order.add(i);
      }
      Randoms.shuffle(order, r);
      if (r.nextDouble() < duplicateRate * body.size()) {
        int pick = order.get(r.nextInt(order.size()));
        carried = body.get(pick);
        carriedTime = times.get(pick);
      }
      Instant delivered = Instant.ofEpochSecond(windowStart + 300 + 60 + r.nextInt(240));
      String key = AwsLogKeys.cloudTrailLog(org.orgId, a.id, region, delivered, Ids.alnum(r, 16));
      List<String> shuffled = new ArrayList<>(body.size());
      Instant oldest = null;
      Instant newest = null;
      for (int i : order) {
        shuffled.add(body.get(i));
        Instant t = times.get(i);
        oldest = oldest == null || t.isBefore(oldest) ? t : oldest;
        newest = newest == null || t.isAfter(newest) ? t : newest;
      }
      byte[] json = recordsBody(shuffled);
      long stored = out.gzipped(key, json);
      digests.logFile(delivered, key, json, oldest, newest);
      total = total.plus(new Written(body.size(), 1, duplicates, stored));
    }
    return total;
  }

  /** About half the days of an account get an Insights start/end pair on a busy EC2 call. */
  Written insights(Account a, LocalDate day) {
    SplittableRandom r = new SplittableRandom(Randoms.mix(seed, a.id.hashCode(), 17, day.toEpochDay()));
    if (r.nextInt(2) == 0) {
      return Written.NONE;
    }
    Instant startT = day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(3600L * (8 + r.nextInt(8)));
    Instant endT = startT.plusSeconds(60L * (5 + r.nextInt(40)));
    String shared = Ids.uuid(r);
    EventCatalog.Api api = catalog.pick(r, "ec2");
    List<String> body = new ArrayList<>();
    for (String state : new String[] {"Start", "End"}) {
      Instant t = state.equals("Start") ? startT : endT;
      Map<String, Object> statistics = new LinkedHashMap<>();
      statistics.put("baseline", Map.of("average", 0.5 + r.nextInt(20) / 10.0));
      statistics.put("insight", Map.of("average", (double) (20 + r.nextInt(200))));
      if (state.equals("End")) {
        statistics.put("insightDuration", (endT.getEpochSecond() - startT.getEpochSecond()) / 60);
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("state", state);
      details.put("eventSource", api.eventSource);
      details.put("eventName", api.eventName);
      details.put("insightType", "ApiCallRateInsight");
      details.put("insightContext", Map.of("statistics", statistics));
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("eventVersion", "1.08");
      rec.put("eventTime", t.toString());
      rec.put("awsRegion", "us-east-1");
      rec.put("eventID", Ids.uuid(r));
      rec.put("eventType", "AwsCloudTrailInsight");
      rec.put("recipientAccountId", a.id);
      rec.put("sharedEventID", shared);
      rec.put("insightDetails", details);
      rec.put("eventCategory", "Insight");
      body.add(Json.write(rec));
    }
    Instant delivered = endT.plusSeconds(1800);
    String key = AwsLogKeys.insight(org.orgId, a.id, "us-east-1", delivered, Ids.alnum(r, 16));
    long stored = out.gzipped(key, recordsBody(body));
    return new Written(2, 1, 0, stored);
  }

  /** {@code {"Records":[...]}} of record texts (each already compact JSON). */
  static byte[] recordsBody(List<String> body) {
    StringBuilder b = new StringBuilder(body.size() * 1100 + 16).append("{\"Records\":[");
    for (int i = 0; i < body.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(body.get(i));
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean isGlobal(String service) {
    for (String g : GLOBAL) {
      if (g.equals(service)) {
        return true;
      }
    }
    return false;
  }

  private static String regionalFallback(Principal p) {
    for (String s : p.services) {
      if (!isGlobal(s)) {
        return s;
      }
    }
    return "sts";
  }

  private static Principal pickPrincipal(SplittableRandom r, Account a, int hour) {
    double total = 0;
    double[] w = new double[a.principals.size()];
    for (int i = 0; i < w.length; i++) {
      Principal p = a.principals.get(i);
      boolean working = hour >= p.startHour && hour < p.endHour;
      w[i] = p.weight * (working ? 1.0 : 0.03);
      total += w[i];
    }
    double x = r.nextDouble() * total;
    for (int i = 0; i < w.length; i++) {
      x -= w[i];
      if (x <= 0) {
        return a.principals.get(i);
      }
    }
    return a.principals.get(w.length - 1);
  }

  private static void maybeError(SplittableRandom r, RecordFactory.Spec s) {
    EventCatalog.Api api = s.api;
    double x = r.nextDouble();
    if (api.eventName.equals("ConsoleLogin")) {
      if (x < 0.06) {
        s.consoleFailure = true;
        s.errorMessage = "Failed authentication";
      }
      return;
    }
    if (x < 0.015) {
      String who = s.principal.kind == PrincipalKind.SERVICE ? "service" : s.principal.name;
      switch (api.service) {
        case "ec2":
          s.errorCode = "Client.UnauthorizedOperation";
          s.errorMessage = "You are not authorized to perform this operation. User: " + who
              + " is not authorized to perform: ec2:" + api.eventName;
          break;
        case "kms":
        case "secretsmanager":
        case "lambda":
          s.errorCode = "AccessDeniedException";
          s.errorMessage = "User: " + who + " is not authorized to perform: " + api.service + ":"
              + api.eventName;
          break;
        default:
          s.errorCode = "AccessDenied";
          s.errorMessage = "User: " + who + " is not authorized to perform: " + api.service + ":"
              + api.eventName + " because no identity-based policy allows the action";
      }
    } else if (x < 0.022 && api.readOnly) {
      s.errorCode = api.service.equals("ec2") ? "Client.RequestLimitExceeded" : "ThrottlingException";
      s.errorMessage = "Rate exceeded";
    } else if (x < 0.027 && api.service.equals("iam") && api.eventName.startsWith("Get")) {
      s.errorCode = "NoSuchEntityException";
      s.errorMessage = "The user with name unknown-user cannot be found.";
    }
  }

  /** The home region carries global services, so it is busier. */
  static double regionWeight(String region) {
    return region.equals("us-east-1") ? 1.4 : 0.7;
  }

  private static double diurnal(int hour) {
    // mean 1.0 over 24 h: busier 08-18 UTC
    return hour >= 8 && hour < 18 ? 1.57 : 0.6;
  }
}
