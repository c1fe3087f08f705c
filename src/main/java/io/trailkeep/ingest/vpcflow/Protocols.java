package io.trailkeep.ingest.vpcflow;

import java.util.HashMap;
import java.util.Map;

/** IANA protocol keywords for the protocol numbers seen in flow logs. Unknown numbers map to null. */
final class Protocols {

  private Protocols() {}

  private static final Map<Integer, String> NAMES = new HashMap<>();

  static {
    String[] pairs = {"0", "HOPOPT", "1", "ICMP", "2", "IGMP", "4", "IPv4", "6", "TCP", "8", "EGP",
        "9", "IGP", "17", "UDP", "27", "RDP", "33", "DCCP", "41", "IPv6", "43", "IPv6-Route",
        "44", "IPv6-Frag", "46", "RSVP", "47", "GRE", "50", "ESP", "51", "AH", "58", "IPv6-ICMP",
        "59", "IPv6-NoNxt", "60", "IPv6-Opts", "88", "EIGRP", "89", "OSPFIGP", "94", "IPIP",
        "97", "ETHERIP", "98", "ENCAP", "103", "PIM", "112", "VRRP", "115", "L2TP", "132", "SCTP",
        "136", "UDPLite", "137", "MPLS-in-IP"};
    for (int i = 0; i < pairs.length; i += 2) {
      NAMES.put(Integer.parseInt(pairs[i]), pairs[i + 1]);
    }
  }

  static String name(int protocol) {
    return NAMES.get(protocol);
  }
}
