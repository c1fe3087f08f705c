package io.trailkeep.generate;

import io.trailkeep.generate.Org.Account;
import io.trailkeep.storage.AwsLogKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The organization's GuardDuty exports: a day's background findings per account (mostly scanner
 * probes and SSH brute force from the same scanners the flow logs show, some of every family),
 * about a third updated and exported again 6 and 12 hours later, plus scenario findings; written
 * as JSON Lines, one file per account, region and 5-minute export window. Deterministic.
 */
final class GuardDutyExports {
  /** Counts of what was written. */
  record Written(long versions, long files, long bytes) {}

  /** A background finding family: type, resource kind, severity and relative frequency. */
  private record Family(String type, FindingFactory.Resource resource, double severity, int weight) {}

  private static final List<Family> BACKGROUND = List.of(
      new Family("Recon:EC2/PortProbeUnprotectedPort", FindingFactory.Resource.INSTANCE, 2.0, 6),
      new Family("UnauthorizedAccess:EC2/SSHBruteForce", FindingFactory.Resource.INSTANCE, 2.0, 5),
      new Family("Policy:IAMUser/RootCredentialUsage", FindingFactory.Resource.ACCESS_KEY, 2.0, 1),
      new Family("CryptoCurrency:EC2/BitcoinTool.B!DNS", FindingFactory.Resource.INSTANCE, 8.0, 1),
      new Family("Discovery:S3/MaliciousIPCaller", FindingFactory.Resource.S3_BUCKET, 5.0, 1),
      new Family("Discovery:Kubernetes/MaliciousIPCaller", FindingFactory.Resource.EKS, 5.0, 1),
      new Family("Backdoor:Lambda/C&CActivity.B", FindingFactory.Resource.LAMBDA, 8.0, 1),
      new Family("CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin", FindingFactory.Resource.RDS, 8.0, 1),
      new Family("CryptoCurrency:Runtime/BitcoinTool.B", FindingFactory.Resource.ECS, 8.0, 1),
      new Family("Execution:Runtime/ReverseShell", FindingFactory.Resource.CONTAINER, 8.0, 1),
      new Family("Execution:Runtime/NewBinaryExecuted", FindingFactory.Resource.RUNTIME, 5.0, 1),
      new Family("Impact:EC2/PortSweep", FindingFactory.Resource.INSTANCE, 9.0, 1));

  private final long seed;
  private final double perDay;
  private final FindingFactory factory;
  private final List<Scenario.FindingExport> exports = new ArrayList<>();

  GuardDutyExports(long seed, double perDay, FindingFactory factory) {
    this.seed = seed;
    this.perDay = perDay;
    this.factory = factory;
  }

  /** Adds planned exports (scenarios). */
  void add(List<Scenario.FindingExport> planned) {
    exports.addAll(planned);
  }

  /** A day's background findings of {@code a}; exports after {@code spanEnd} are not written. */
  void day(Account a, LocalDate day, List<String> scanners, Instant spanEnd) {
    if (perDay <= 0 || a.instances.isEmpty()) {
      return;
    }
    SplittableRandom r = new SplittableRandom(Randoms.mix(seed, a.id.hashCode(), 0x6D6D, day.toEpochDay()));
    int k = Randoms.poisson(r, perDay);
    int totalWeight = 0;
    for (Family f : BACKGROUND) {
      totalWeight += f.weight();
    }
    long dayStart = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    for (int i = 0; i < k; i++) {
      int x = r.nextInt(totalWeight);
      Family pick = BACKGROUND.get(0);
      for (Family f : BACKGROUND) {
        x -= f.weight();
        if (x < 0) {
          pick = f;
          break;
        }
      }
      FindingFactory.Spec s = new FindingFactory.Spec();
      s.type = pick.type();
      s.resource = pick.resource();
      s.severity = pick.severity();
      s.account = a;
      s.instance = a.instances.get(r.nextInt(a.instances.size()));
      s.region = s.instance.region;
      s.principal = s.type.contains("Root") ? a.principals.get(a.principals.size() - 2)
          : a.principals.get(0);
      s.remoteIp = s.type.startsWith("Recon:EC2") || s.type.contains("BruteForce")
          || s.type.contains("PortSweep") ? scanners.get(r.nextInt(scanners.size())) : null;
      s.createdAt = Instant.ofEpochSecond(dayStart + r.nextInt(86400 - 600));
      s.id = Ids.hex(r, 32);
      int versions = r.nextInt(10) < 3 ? 2 + r.nextInt(2) : 1;
      for (int v = 0; v < versions; v++) {
        s.updatedAt = s.createdAt.plusSeconds(6L * 3600 * v);
        s.count = 1 + v * (1L + r.nextInt(20));
        Instant exported = s.updatedAt.plusSeconds(300);
        if (exported.isAfter(spanEnd)) {
          break;
        }
        exports.add(new Scenario.FindingExport(a.id, s.region, exported, factory.write(s, r)));
      }
    }
  }

  /** Writes every export, one JSON Lines file per account, region and 5-minute export window. */
  Written write(RawWriter out) {
    if (perDay <= 0) {
      return new Written(0, 0, 0);
    }
    Map<String, List<Scenario.FindingExport>> files = new TreeMap<>();
    for (Scenario.FindingExport e : exports) {
      files.computeIfAbsent(Generator.windowKey(e.accountId, e.region, e.exportedAt),
          k -> new ArrayList<>()).add(e);
    }
    long versions = 0;
    long bytes = 0;
    for (Map.Entry<String, List<Scenario.FindingExport>> f : files.entrySet()) {
      Scenario.FindingExport first = f.getValue().get(0);
      SplittableRandom r = new SplittableRandom(Randoms.mix(seed, f.getKey().hashCode(), 0x6D, 1));
      StringBuilder body = new StringBuilder();
      for (Scenario.FindingExport e : f.getValue()) {
        body.append(e.json).append('\n');
        versions++;
      }
      bytes += out.gzipped(AwsLogKeys.guardDuty(first.accountId, first.region, first.exportedAt,
          Ids.uuid(r)), body.toString().getBytes(StandardCharsets.UTF_8));
    }
    return new Written(versions, files.size(), bytes);
  }
}
