package io.trailkeep.generate;

import io.trailkeep.conf.ConfException;
import io.trailkeep.generate.Org.Account;
import io.trailkeep.generate.Org.Instance;
import io.trailkeep.schema.VpcFlowTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Background VPC traffic of one account and region, as the flow logs of its network interfaces
 * record it: instances calling AWS services, internet clients reaching the load balancer,
 * scanners probing public addresses (rejected), NAT gateway traffic, database calls inside the
 * VPC, DNS to the VPC resolver, ICMP and idle NODATA intervals. Each account uses one flow-log
 * format and layout (see {@link #formatFor}); files are 5-minute gzip text with a header line,
 * exactly as delivered to S3. Pure functions of the seed.
 */
final class FlowWriter {

  /** The 30-field custom format the generator uses: the AWS traffic-path example plus reject-reason. */
  static final List<String> CUSTOM_FORMAT = List.of("version", "srcaddr", "dstaddr", "srcport",
      "dstport", "protocol", "start", "end", "type", "packets", "bytes", "account-id", "vpc-id",
      "subnet-id", "instance-id", "interface-id", "region", "az-id", "sublocation-type",
      "sublocation-id", "action", "tcp-flags", "pkt-srcaddr", "pkt-dstaddr", "pkt-src-aws-service",
      "pkt-dst-aws-service", "traffic-path", "flow-direction", "log-status", "reject-reason");
  static final List<String> DEFAULT_FORMAT = VpcFlowTable.DEFAULT_FORMAT;
  private static final int[] SCAN_PORTS = {22, 23, 3389, 445, 1433, 3306, 5900, 8080, 6379, 9200};
  private static final String[] SERVICE_PREFIXES = {"52.216.", "3.5.", "52.94.", "54.239."};

  /** Per account-region network: the flow log, NAT gateway and load balancer interfaces. */
  static final class Network {
    final String flowLogId;
    final String natEni;
    final String natIp;
    final String lbEni;
    final String lbIp;
    final String resolver;
    final List<Instance> instances;

    Network(Account a, String region, long seed) {
      SplittableRandom r = new SplittableRandom(seed ^ (a.id + "/" + region + "/net").hashCode());
      this.flowLogId = "fl-" + Ids.hex(r, 17);
      this.natEni = "eni-" + Ids.hex(r, 17);
      this.lbEni = "eni-" + Ids.hex(r, 17);
      List<Instance> in = new ArrayList<>();
      for (Instance i : a.instances) {
        if (i.region.equals(region)) {
          in.add(i);
        }
      }
      this.instances = in;
      String net = in.isEmpty() ? "10.250." : in.get(0).privateIp.substring(0,
          in.get(0).privateIp.indexOf('.', 3) + 1);
      this.natIp = net + "0." + (200 + r.nextInt(50));
      this.lbIp = net + "1." + (200 + r.nextInt(50));
      this.resolver = net + "0.2";
    }
  }

  private final List<String> fields;
  private final int version;
  private final boolean hive;

  private FlowWriter(List<String> fields, boolean hive) {
    this.fields = fields;
    this.hive = hive;
    int v = 2;
    for (String f : fields) {
      VpcFlowTable.Field known = VpcFlowTable.field(f);
      if (known == null) {
        throw new ConfException("generate.flow-format: unknown flow-log field '" + f + "'");
      }
      v = Math.max(v, known.version);
    }
    this.version = v;
  }

  /**
   * The writer of account number {@code index} for a {@code generate.flow-format} value:
   * {@code mixed} (default format, then the 30-field custom format, then the custom format under
   * Hive-compatible hourly prefixes, rotating over accounts), {@code default}, {@code custom}, or
   * an explicit space- or comma-separated field list.
   */
  static FlowWriter formatFor(String spec, int index) {
    switch (spec) {
      case "mixed":
        return index % 3 == 0 ? new FlowWriter(DEFAULT_FORMAT, false)
            : new FlowWriter(CUSTOM_FORMAT, index % 3 == 2);
      case "default":
        return new FlowWriter(DEFAULT_FORMAT, false);
      case "custom":
        return new FlowWriter(CUSTOM_FORMAT, false);
      default:
        return new FlowWriter(Arrays.asList(spec.trim().split("[\\s,]+")), false);
    }
  }

  /** Checks a {@code generate.flow-format} value. */
  static void validate(String spec) {
    formatFor(spec, 0);
  }

  /** Whether this account's files go under Hive-compatible hourly prefixes. */
  boolean hive() {
    return hive;
  }

  /** The file body: header line, then one line per record. */
  byte[] body(List<FlowRecord> records) {
    StringBuilder b = new StringBuilder(records.size() * 160 + 400);
    b.append(String.join(" ", fields)).append('\n');
    for (FlowRecord f : records) {
      for (int i = 0; i < fields.size(); i++) {
        if (i > 0) {
          b.append(' ');
        }
        b.append(f.text(fields.get(i), version));
      }
      b.append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** About {@code expected} background records for the 5-minute window starting at {@code t0}. */
  static List<FlowRecord> background(Account a, String region, Network net, long t0,
      double expected, List<String> scanners, SplittableRandom r) {
    List<FlowRecord> out = new ArrayList<>();
    if (net.instances.isEmpty()) {
      return out;
    }
    int target = Randoms.poisson(r, expected);
    List<Instance> exposed = new ArrayList<>();
    for (Instance i : net.instances) {
      if (i.publicIp != null) {
        exposed.add(i);
      }
    }
    Set<String> idle = new HashSet<>();
    while (out.size() < target) {
      Instance inst = net.instances.get(r.nextInt(net.instances.size()));
      long start = t0 + r.nextInt(240);
      double x = r.nextDouble();
      if (x < 0.35) {
        String ip = SERVICE_PREFIXES[r.nextInt(SERVICE_PREFIXES.length)] + r.nextInt(256) + "."
            + (1 + r.nextInt(254));
        String svc = ip.startsWith("52.216.") || ip.startsWith("3.5.") ? "S3" : "AMAZON";
        int port = 32768 + r.nextInt(28000);
        long packets = 5 + r.nextInt(400);
        FlowRecord out1 = onInstance(a, region, inst, start, "egress");
        conn(out1, inst.privateIp, ip, port, 443, 6, packets, packets * (80 + r.nextInt(1200)), 3);
        out1.pktDstAwsService = svc;
        out1.trafficPath = 8;
        FlowRecord back = onInstance(a, region, inst, start, "ingress");
        conn(back, ip, inst.privateIp, 443, port, 6, packets + r.nextInt(10),
            packets * (200 + r.nextInt(9000)), 19);
        back.pktSrcAwsService = svc;
        out.add(out1);
        out.add(back);
      } else if (x < 0.50) {
        String client = Org.publicIp(r, false);
        int port = 1024 + r.nextInt(64000);
        long packets = 4 + r.nextInt(60);
        FlowRecord in = onEni(a, region, net.lbEni, inst, start, "ingress");
        conn(in, client, net.lbIp, port, 443, 6, packets, packets * (60 + r.nextInt(700)), 3);
        FlowRecord resp = onEni(a, region, net.lbEni, inst, start, "egress");
        conn(resp, net.lbIp, client, 443, port, 6, packets, packets * (300 + r.nextInt(1100)), 19);
        resp.trafficPath = 8;
        out.add(in);
        out.add(resp);
      } else if (x < 0.65) {
        Instance target1 = exposed.isEmpty() ? inst : exposed.get(r.nextInt(exposed.size()));
        String scanner = scanners.get(r.nextInt(scanners.size()));
        FlowRecord s = onInstance(a, region, target1, start, "ingress");
        conn(s, scanner, target1.privateIp, 1024 + r.nextInt(64000),
            SCAN_PORTS[r.nextInt(SCAN_PORTS.length)], 6, 1 + r.nextInt(2), 40 + r.nextInt(40), 2);
        s.action = "REJECT";
        out.add(s);
      } else if (x < 0.80) {
        String host = Org.publicIp(r, r.nextBoolean());
        int port = 32768 + r.nextInt(28000);
        long packets = 3 + r.nextInt(100);
        FlowRecord toNat = onEni(a, region, net.natEni, null, start, "ingress");
        conn(toNat, inst.privateIp, net.natIp, port, 443, 6, packets, packets * (90 + r.nextInt(900)), 3);
        toNat.pktDstaddr = host;
        FlowRecord out1 = onEni(a, region, net.natEni, null, start, "egress");
        conn(out1, net.natIp, host, 1024 + r.nextInt(64000), 443, 6, packets,
            packets * (90 + r.nextInt(900)), 3);
        out1.trafficPath = 8;
        out.add(toNat);
        out.add(out1);
      } else if (x < 0.90 && net.instances.size() > 1) {
        Instance db = net.instances.get(r.nextInt(net.instances.size()));
        int port = 32768 + r.nextInt(28000);
        int dbPort = r.nextBoolean() ? 5432 : 6379;
        long packets = 2 + r.nextInt(300);
        FlowRecord call = onInstance(a, region, inst, start, "egress");
        conn(call, inst.privateIp, db.privateIp, port, dbPort, 6, packets, packets * (70 + r.nextInt(400)), 3);
        call.trafficPath = 1;
        FlowRecord arrive = onInstance(a, region, db, start, "ingress");
        conn(arrive, inst.privateIp, db.privateIp, port, dbPort, 6, packets, packets * (70 + r.nextInt(400)), 3);
        out.add(call);
        out.add(arrive);
      } else if (x < 0.96) {
        FlowRecord dns = onInstance(a, region, inst, start, "egress");
        conn(dns, inst.privateIp, net.resolver, 32768 + r.nextInt(28000), 53, 17, 1 + r.nextInt(4),
            60 + r.nextInt(200), null);
        dns.trafficPath = 1;
        out.add(dns);
      } else if (x < 0.99) {
        Instance target1 = exposed.isEmpty() ? inst : exposed.get(r.nextInt(exposed.size()));
        String pinger = Org.publicIp(r, false);
        FlowRecord ping = onInstance(a, region, target1, start, "ingress");
        conn(ping, pinger, target1.privateIp, 0, 0, 1, 4, 336, null);
        out.add(ping);
        FlowRecord reply = onInstance(a, region, target1, start, "egress");
        conn(reply, target1.privateIp, pinger, 0, 0, 1, 4, 336, null);
        reply.action = r.nextInt(4) == 0 ? "REJECT" : "ACCEPT";
        reply.trafficPath = 8;
        out.add(reply);
      } else if (idle.add(inst.eni)) {
        // an interface without traffic in the window: one NODATA record, as AWS writes it
        FlowRecord none = onInstance(a, region, inst, t0, null);
        none.logStatus = "NODATA";
        none.type = null;
        none.action = null;
        out.add(none);
      }
    }
    return out;
  }

  /** A record on an instance's own interface. */
  static FlowRecord onInstance(Account a, String region, Instance inst, long start, String direction) {
    FlowRecord f = onEni(a, region, inst.eni, inst, start, direction);
    f.instanceId = inst.id;
    return f;
  }

  private static FlowRecord onEni(Account a, String region, String eni, Instance near, long start,
      String direction) {
    FlowRecord f = new FlowRecord();
    f.accountId = a.id;
    f.interfaceId = eni;
    f.start = start;
    f.end = start + 60;
    f.region = region;
    f.azId = azId(region);
    f.flowDirection = direction;
    if (near != null) {
      f.vpcId = near.vpcId;
      f.subnetId = near.subnetId;
    }
    return f;
  }

  static void conn(FlowRecord f, String src, String dst, int srcPort, int dstPort, int protocol,
      long packets, long bytes, Integer tcpFlags) {
    f.srcaddr = src;
    f.dstaddr = dst;
    f.srcport = srcPort;
    f.dstport = dstPort;
    f.protocol = protocol;
    f.packets = packets;
    f.bytes = bytes;
    f.action = "ACCEPT";
    f.tcpFlags = protocol == 6 ? tcpFlags : Integer.valueOf(0);
  }

  private static String azId(String region) {
    String[] p = region.split("-");
    return p[0] + p[1].charAt(0) + p[2] + "-az1";
  }
}
