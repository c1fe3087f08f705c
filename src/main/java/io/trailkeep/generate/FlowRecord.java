package io.trailkeep.generate;

/**
 * One VPC Flow Logs record before formatting: every field a version 2-8 format can carry. Fields
 * left null print as {@code -}. Rendering to a particular custom format happens in
 * {@link FlowWriter}.
 */
public final class FlowRecord {
  public String accountId;
  public String interfaceId;
  public String srcaddr;
  public String dstaddr;
  public Integer srcport;
  public Integer dstport;
  public Integer protocol;
  public Long packets;
  public Long bytes;
  public long start;
  public long end;
  public String action;
  public String logStatus = "OK";
  public String vpcId;
  public String subnetId;
  public String instanceId;
  public Integer tcpFlags;
  public String type = "IPv4";
  public String pktSrcaddr;
  public String pktDstaddr;
  public String region;
  public String azId;
  public String pktSrcAwsService;
  public String pktDstAwsService;
  public String flowDirection;
  public Integer trafficPath;
  public String rejectReason;

  /** The value of a field as the text format writes it. */
  public String text(String field, int version) {
    Object v;
    switch (field) {
      case "version":
        v = version;
        break;
      case "account-id":
        v = accountId;
        break;
      case "interface-id":
        v = interfaceId;
        break;
      case "srcaddr":
        v = srcaddr;
        break;
      case "dstaddr":
        v = dstaddr;
        break;
      case "srcport":
        v = srcport;
        break;
      case "dstport":
        v = dstport;
        break;
      case "protocol":
        v = protocol;
        break;
      case "packets":
        v = packets;
        break;
      case "bytes":
        v = bytes;
        break;
      case "start":
        v = start;
        break;
      case "end":
        v = end;
        break;
      case "action":
        v = action;
        break;
      case "log-status":
        v = logStatus;
        break;
      case "vpc-id":
        v = vpcId;
        break;
      case "subnet-id":
        v = subnetId;
        break;
      case "instance-id":
        v = instanceId;
        break;
      case "tcp-flags":
        v = tcpFlags;
        break;
      case "type":
        v = type;
        break;
      case "pkt-srcaddr":
        v = pktSrcaddr != null ? pktSrcaddr : srcaddr;
        break;
      case "pkt-dstaddr":
        v = pktDstaddr != null ? pktDstaddr : dstaddr;
        break;
      case "region":
        v = region;
        break;
      case "az-id":
        v = azId;
        break;
      case "pkt-src-aws-service":
        v = pktSrcAwsService;
        break;
      case "pkt-dst-aws-service":
        v = pktDstAwsService;
        break;
      case "flow-direction":
        v = flowDirection;
        break;
      case "traffic-path":
        v = trafficPath;
        break;
      case "reject-reason":
        v = rejectReason;
        break;
      default:
        v = null;
    }
    return v == null ? "-" : v.toString();
  }
}
