package io.trailkeep.correlate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_timestamp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trailkeep.generate.Generator;
import io.trailkeep.generate.Org;
import io.trailkeep.ingest.IngestJob;
import io.trailkeep.lake.Lake;
import io.trailkeep.lake.MaintenanceState;
import io.trailkeep.schema.AlertsTable;
import io.trailkeep.schema.CloudTrailTable;
import io.trailkeep.schema.EntityTables;
import io.trailkeep.schema.IncidentTables;
import io.trailkeep.testing.TestSpark;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * entity_sessions on generated logs, checked against the generator's own model of sessions (which
 * key each principal holds when): role chains, the roots of chains across runs, validity times,
 * every used key resolved, reruns and late days.
 */
class SessionResolutionTest {
  private static final long SEED = 31;
  private static final int ACCOUNTS = 2;
  private static final LocalDate DAY = LocalDate.of(2026, 3, 2);

  private static void generate(Path raw, LocalDate day) {
    Generator.with(new Configuration()).raw(raw.toString()).events(1500).days(1).accounts(ACCOUNTS)
        .seed(SEED).start(day).flowRatio(0).findingsPerDay(0).scenarios(List.of()).execute();
  }

  private static Map<String, Row> sessions(Lake lake) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : lake.read(EntityTables.SESSIONS).collectAsList()) {
      out.put(r.getAs("access_key_id"), r);
    }
    return out;
  }

  private static Org.Principal named(Org.Account a, String name) {
    return a.principals.stream().filter(p -> p.name.equals(name)).findFirst().orElseThrow();
  }

  private static long seconds(Row r, String column) {
    return ((Timestamp) r.getAs(column)).toInstant().getEpochSecond();
  }

  /** The chained release sessions of every hour of {@code day} resolve to the CI user. */
  private static void assertChains(Map<String, Row> byKey, LocalDate day) {
    Org org = Org.build(SEED, ACCOUNTS);
    for (Org.Account a : org.accounts) {
      Org.Principal deploy = named(a, "deploy-role");
      Org.Principal release = named(a, "release-role");
      String ci = "arn:aws:iam::" + a.id + ":user/ci-deployer";
      // from 02:00: the deploy session behind an early release session may have begun the day before
      for (int hour = 2; hour < 23; hour++) {
        Instant t = day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(hour * 3600L);
        Row r = byKey.get(release.accessKeyAt(t));
        assertNotNull(r, "the release session in force at " + t + " in " + a.id);
        assertEquals("arn:aws:sts::" + a.id + ":assumed-role/" + release.roleName + "/ci-release",
            r.getAs("session_arn"));
        assertEquals("arn:aws:iam::" + a.id + ":role/" + release.roleName, r.getAs("role_arn"));
        Instant issued = ((Timestamp) r.getAs("valid_from")).toInstant();
        assertEquals(deploy.accessKeyAt(issued), r.getAs("issuer_access_key_id"),
            "a chained session's caller is the deploy session in force when it was assumed");
        assertEquals("AssumedRole", r.getAs("issuer_type"));
        assertEquals("IAMUser", r.getAs("root_type"));
        assertEquals(ci, r.getAs("root_arn"));
        assertEquals(1, (int) r.getAs("chain_depth"));
        assertEquals("ci-deployer", r.getAs("source_identity"));
        assertEquals(release.sessionSeconds, seconds(r, "valid_until") - seconds(r, "valid_from"));
        Row d = byKey.get(r.<String>getAs("issuer_access_key_id"));
        assertNotNull(d, "the deploy session is resolved too");
        assertEquals(ci, d.getAs("issuer_arn"));
        assertEquals(0, (int) d.getAs("chain_depth"));
        assertEquals(ci, d.getAs("root_arn"));
        assertEquals(a.principals.stream().filter(p -> p.name.equals("ci-deployer")).findFirst()
            .orElseThrow().accessKeyId, d.getAs("issuer_access_key_id"));
      }
    }
  }

  /**
   * entity_identities against the generator's principals: each that acted is there, as the
   * identity its kind implies (the IAM user itself, the Identity Center user its session is named
   * after, the CI user behind the chained release role, the EC2 service behind an instance role).
   */
  private static void assertIdentities(Lake lake) {
    Map<String, Set<String>> byPrincipal = new HashMap<>();
    for (Row r : lake.read(EntityTables.IDENTITIES).collectAsList()) {
      byPrincipal.computeIfAbsent(r.<String>getAs("principal_arn"), k -> new HashSet<>())
          .add(r.<String>getAs("identity_kind") + " " + r.<String>getAs("identity"));
    }
    int checked = 0;
    for (Org.Account a : Org.build(SEED, ACCOUNTS).accounts) {
      for (Org.Principal p : a.principals) {
        String expected;
        String arn;
        switch (p.kind) {
          case IAM_USER -> {
            arn = "arn:aws:iam::" + a.id + ":user/" + p.name;
            expected = "iam-user " + arn;
          }
          case SSO_USER -> {
            arn = null;
            expected = "identity-center " + p.sessionName;
          }
          case INSTANCE -> {
            arn = "arn:aws:iam::" + a.id + ":role/" + p.roleName;
            expected = "aws-service ec2.amazonaws.com";
          }
          default -> {
            continue;
          }
        }
        if (arn == null) {
          // an Identity Center user acts through its permission set's role
          boolean found = byPrincipal.values().stream().anyMatch(v -> v.contains(expected));
          assertTrue(found, "the Identity Center user " + p.sessionName + " in " + a.id);
        } else if (byPrincipal.containsKey(arn)) {
          assertTrue(byPrincipal.get(arn).contains(expected), arn + ": " + byPrincipal.get(arn));
        } else {
          continue;
        }
        checked++;
      }
      String release = "arn:aws:iam::" + a.id + ":role/" + named(a, "release-role").roleName;
      // its sessions are the CI user's; one that began before the lake's first day has no issuing
      // call in the lake and stays an unresolved chain under its session name
      String ci = "iam-user arn:aws:iam::" + a.id + ":user/ci-deployer";
      assertTrue(byPrincipal.get(release).contains(ci), byPrincipal.get(release).toString());
      assertTrue(Set.of(ci, "role-chain ci-release").containsAll(byPrincipal.get(release)),
          byPrincipal.get(release).toString());
    }
    assertTrue(checked > 10, "principals checked: " + checked);
  }

  @Test
  void keysResolveToSessionsRolesAndTheIdentityThatStartedTheirChain() {
    Path dir = TestSpark.tempDir("sessions");
    Path raw = dir.resolve("raw");
    generate(raw, DAY);
    Lake lake = new Lake(TestSpark.get(), dir.resolve("lake").toString());
    IngestJob.into(lake).raw(raw.toString()).sources("cloudtrail").execute();

    EntityResolution.Outcome first = EntityResolution.update(lake, "run-1");
    assertTrue(first.sessionsAdded() > 0, first.toString());
    Map<String, Row> byKey = sessions(lake);
    assertEquals(first.sessionsAdded(), byKey.size());
    assertChains(byKey, DAY);
    assertIdentities(lake);

    // every temporary key the day's events use, from a session that began that day, is resolved
    // to the session those events name, valid from their creation date
    Instant dayStart = DAY.atStartOfDay(ZoneOffset.UTC).toInstant();
    Dataset<Row> used = lake.read(CloudTrailTable.NAME)
        .filter(col("access_key_id").startsWith("ASIA"))
        .select(col("access_key_id"), col("userIdentity.arn").alias("arn"),
            to_timestamp(col("userIdentity.sessionContext.attributes.creationDate")).alias("created"))
        .filter(col("created").geq(Timestamp.from(dayStart))).distinct();
    List<Row> usedRows = used.collectAsList();
    assertTrue(usedRows.size() > 50, "sessions in use: " + usedRows.size());
    Set<String> kinds = new HashSet<>();
    for (Row u : usedRows) {
      Row s = byKey.get(u.getString(0));
      assertNotNull(s, "no session row for a key in use: " + u);
      assertEquals(u.getString(1), s.getAs("session_arn"), u.toString());
      assertEquals(u.getTimestamp(2), s.getAs("valid_from"), u.toString());
      assertTrue(seconds(s, "valid_until") > seconds(s, "valid_from"), s.toString());
      kinds.add(s.getAs("issued_by") + "/" + s.getAs("root_type"));
    }
    assertTrue(kinds.containsAll(Set.of("AssumeRole/AWSService", "AssumeRoleWithSAML/SAMLUser",
        "AssumeRoleWithWebIdentity/WebIdentityUser", "AssumeRole/IAMUser", "GetSessionToken/IAMUser")),
        kinds.toString());

    // session chains one hop each way, as correlate links seeds: the release session's caller is
    // the deploy session, the deploy session assumed the release session; a hub bound of 0 stops
    // the way down but not the way up; a session nobody chained from has no entry
    Org.Account first0 = Org.build(SEED, ACCOUNTS).accounts.get(0);
    Instant mid = dayStart.plusSeconds(10 * 3600L);
    String release = named(first0, "release-role").accessKeyAt(mid);
    Instant releaseIssued = ((Timestamp) byKey.get(release).getAs("valid_from")).toInstant();
    String deploy = named(first0, "deploy-role").accessKeyAt(releaseIssued);
    String instance = first0.principals.stream().filter(p -> p.kind == Org.PrincipalKind.INSTANCE)
        .findFirst().orElseThrow().accessKeyAt(mid);
    Map<String, Set<String>> chained = SessionResolution.chainedKeys(lake, Set.of(release, deploy, instance), 20);
    assertEquals(Set.of(deploy), chained.get(release));
    assertTrue(chained.get(deploy).contains(release), chained.toString());
    assertTrue(!chained.containsKey(instance), chained.toString());
    Map<String, Set<String>> bounded = SessionResolution.chainedKeys(lake, Set.of(release, deploy), 0);
    assertEquals(Set.of(deploy), bounded.get(release));
    assertTrue(!bounded.containsKey(deploy), bounded.toString());

    // a rerun with nothing new reads no day and writes nothing
    long version = MaintenanceState.currentVersion(lake, EntityTables.SESSIONS);
    EntityResolution.Outcome again = EntityResolution.update(lake, "run-2");
    assertEquals(new EntityResolution.Outcome(0, 0, 0, 0, 0), again);
    assertEquals(version, MaintenanceState.currentVersion(lake, EntityTables.SESSIONS));

    // the next day arrives: its sessions are added, chains reach back into the first day's
    // sessions, and no row of the first run changes
    generate(raw, DAY.plusDays(1));
    IngestJob.into(lake).raw(raw.toString()).sources("cloudtrail").execute();
    EntityResolution.Outcome next = EntityResolution.update(lake, "run-3");
    assertTrue(next.sessionsAdded() > 0 && next.cloudtrailDays() >= 1, next.toString());
    Map<String, Row> after = sessions(lake);
    assertEquals(byKey.size() + next.sessionsAdded(), after.size());
    for (Map.Entry<String, Row> e : byKey.entrySet()) {
      assertEquals(e.getValue(), after.get(e.getKey()));
    }
    assertChains(after, DAY.plusDays(1));

    // correlate: an alert on the release session and one on the deploy session that assumed it
    // share no address and no key, yet are one incident through the chain, whose timeline holds
    // both sessions' events
    Org.Account a0 = Org.build(SEED, ACCOUNTS).accounts.get(0);
    Instant at = DAY.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(10 * 3600L + 1800);
    Org.Principal releaseRole = named(a0, "release-role");
    String releaseKey = releaseRole.accessKeyAt(at);
    Instant assumedAt = ((Timestamp) after.get(releaseKey).getAs("valid_from")).toInstant();
    Org.Principal deployRole = named(a0, "deploy-role");
    String deployKey = deployRole.accessKeyAt(assumedAt);
    lake.ensure(AlertsTable.NAME, AlertsTable.SCHEMA, AlertsTable.PARTITION_COLUMN, Map.of());
    lake.spark().createDataFrame(List.of(
        alert("a-release", a0.id, releaseKey, at), alert("a-deploy", a0.id, deployKey, assumedAt)),
        AlertsTable.SCHEMA).write().format("delta").mode("append").save(lake.pathOf(AlertsTable.NAME));
    CorrelateJob.Result correlated = CorrelateJob.on(lake).execute();
    assertEquals(1, correlated.incidents(), correlated.toString());
    // its timeline holds every event of both sessions within the window around the two alerts,
    // among them the deploy session's AssumeRole call that issued the release session
    Instant from = (assumedAt.isBefore(at) ? assumedAt : at).minusSeconds(3600);
    Instant to = (assumedAt.isBefore(at) ? at : assumedAt).plusSeconds(60 + 3600);
    Set<String> expected = new HashSet<>();
    for (Row r : lake.read(CloudTrailTable.NAME).filter(col("access_key_id").isin(releaseKey, deployKey)
        .and(col("eventTime").between(Timestamp.from(from), Timestamp.from(to)))).select("eventID").collectAsList()) {
      expected.add(r.getString(0));
    }
    assertTrue(expected.contains(after.get(releaseKey).<String>getAs("event_id")), "the issuing call is one of them");
    Set<String> refs = new HashSet<>();
    for (Row r : lake.read(IncidentTables.TIMELINE).filter(col("source").equalTo("cloudtrail"))
        .select("ref").collectAsList()) {
      refs.add(r.getString(0));
    }
    assertTrue(refs.containsAll(expected), "missing: " + expected.stream().filter(e -> !refs.contains(e)).toList());
  }

  private static Row alert(String id, String account, String key, Instant t) {
    return RowFactory.create(id, "test-rule", 1, "test", "high", "a test alert " + id,
        List.of(), List.of(), Timestamp.from(t), Timestamp.from(t.plusSeconds(60)), account, "us-east-1",
        null, key, null, null, List.of(), List.of(), 1L, "run-test", Timestamp.from(t), null,
        java.sql.Date.valueOf(t.atZone(ZoneOffset.UTC).toLocalDate()));
  }
}
