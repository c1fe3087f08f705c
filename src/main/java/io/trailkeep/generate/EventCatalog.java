package io.trailkeep.generate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * About 250 CloudTrail event names over 27 services, each with a relative frequency, read-only flag,
 * management or data category, and the errors it typically fails with. Immutable, in memory.
 */
final class EventCatalog {

  /** One API action. */
  static final class Api {
    final String service;
    final String eventSource;
    final String eventName;
    final int weight;
    final boolean readOnly;
    final boolean data;

    Api(String service, String eventSource, String eventName, int weight, boolean readOnly,
        boolean data) {
      this.service = service;
      this.eventSource = eventSource;
      this.eventName = eventName;
      this.weight = weight;
      this.readOnly = readOnly;
      this.data = data;
    }
  }

  /** A plain action is this many times more frequent than a rare one ("Name!"). */
  private static final int RARE_RATIO = 40;

  // service, eventSource, names ("Name*weight", "+Name" = data event, "Name!" = rare/dangerous,
  // "~Name" = only written by scenarios, never picked for the background)
  private static final String[][] RAW = {
      {"ec2", "ec2.amazonaws.com", "DescribeInstances*12 DescribeSecurityGroups*4 DescribeVpcs*3 "
          + "DescribeSubnets*3 DescribeVolumes*3 DescribeSnapshots*2 DescribeImages*3 "
          + "DescribeNetworkInterfaces*3 DescribeAddresses DescribeKeyPairs DescribeRouteTables "
          + "DescribeInstanceStatus*4 DescribeTags*3 DescribeRegions*2 DescribeAvailabilityZones "
          + "DescribeLaunchTemplates DescribeNatGateways RunInstances TerminateInstances StartInstances "
          + "StopInstances CreateTags*2 DeleteTags AuthorizeSecurityGroupIngress RevokeSecurityGroupIngress "
          + "CreateSecurityGroup CreateSnapshot DeleteSnapshot CreateVolume AttachVolume "
          + "ModifyInstanceAttribute CreateKeyPair! AllocateAddress AssociateAddress "
          + "CreateNetworkInterface ModifySnapshotAttribute! GetConsoleOutput ~DeleteFlowLogs "
          + "~ModifyImageAttribute ~CreateImage ~GetPasswordData"},
      {"s3", "s3.amazonaws.com", "ListBuckets*4 GetBucketAcl*3 GetBucketPolicy*2 GetBucketLocation*4 "
          + "GetBucketVersioning GetBucketEncryption*2 GetBucketPublicAccessBlock GetBucketTagging "
          + "GetBucketLogging CreateBucket DeleteBucket! PutBucketPolicy! PutBucketAcl! "
          + "PutBucketPublicAccessBlock PutBucketEncryption PutBucketVersioning DeleteBucketPolicy! "
          + "+GetObject*20 +PutObject*10 +DeleteObject*2 +HeadObject*8 +ListObjects*6 +CopyObject "
          + "+CreateMultipartUpload +CompleteMultipartUpload +UploadPart*2 ~PutBucketReplication"},
      {"iam", "iam.amazonaws.com", "ListUsers*2 ListRoles*3 ListPolicies*2 GetUser*2 GetRole*4 GetPolicy*2 "
          + "GetPolicyVersion*2 ListAttachedUserPolicies ListAttachedRolePolicies*2 ListAccessKeys "
          + "ListGroups ListGroupsForUser GetAccountAuthorizationDetails GetAccountSummary ListMFADevices "
          + "ListRolePolicies ListInstanceProfiles GetAccountPasswordPolicy CreateUser! DeleteUser! "
          + "CreateAccessKey! DeleteAccessKey UpdateAccessKey AttachUserPolicy! DetachUserPolicy "
          + "AttachRolePolicy PutUserPolicy! PutRolePolicy CreateRole UpdateAssumeRolePolicy! "
          + "CreatePolicyVersion! CreateLoginProfile! UpdateLoginProfile! AddUserToGroup TagRole "
          + "PassRole CreateServiceLinkedRole"},
      {"sts", "sts.amazonaws.com", "AssumeRole*12 GetCallerIdentity*6 GetSessionToken "
          + "AssumeRoleWithSAML AssumeRoleWithWebIdentity*2 GetFederationToken DecodeAuthorizationMessage"},
      {"signin", "signin.amazonaws.com", "ConsoleLogin*6 CheckMfa*2 SwitchRole*2 RenewRole ExitRole"},
      {"kms", "kms.amazonaws.com", "Decrypt*20 Encrypt*4 GenerateDataKey*12 DescribeKey*4 ListKeys "
          + "ListAliases*2 CreateKey ScheduleKeyDeletion! DisableKey! CreateGrant*2 GetKeyPolicy "
          + "PutKeyPolicy ReEncrypt"},
      {"route53resolver", "route53resolver.amazonaws.com", "~DisassociateResolverQueryLogConfig "
          + "~ListResolverQueryLogConfigs"},
      {"lambda", "lambda.amazonaws.com", "ListFunctions20150331*3 GetFunction20150331v2*3 "
          + "+Invoke*10 CreateFunction20150331 UpdateFunctionCode20150331v2 "
          + "UpdateFunctionConfiguration20150331v2 AddPermission20150331v2! DeleteFunction20150331! "
          + "ListEventSourceMappings20150331 GetPolicy20150331v2"},
      {"cloudtrail", "cloudtrail.amazonaws.com", "DescribeTrails*2 GetTrailStatus*2 LookupEvents*3 "
          + "ListTrails GetEventSelectors StopLogging! StartLogging DeleteTrail! UpdateTrail! "
          + "PutEventSelectors! CreateTrail! GetInsightSelectors"},
      {"logs", "logs.amazonaws.com", "CreateLogStream*6 DescribeLogGroups*3 DescribeLogStreams*3 "
          + "CreateLogGroup DeleteLogGroup! GetLogEvents*2 FilterLogEvents*2 PutRetentionPolicy "
          + "StartQuery GetQueryResults DeleteLogStream"},
      {"dynamodb", "dynamodb.amazonaws.com", "DescribeTable*6 ListTables*3 CreateTable DeleteTable! "
          + "UpdateTable DescribeTimeToLive DescribeContinuousBackups ListTagsOfResource "
          + "+GetItem*8 +PutItem*5 +Query*6 +UpdateItem*3"},
      {"rds", "rds.amazonaws.com", "DescribeDBInstances*5 DescribeDBClusters*3 DescribeDBSnapshots*2 "
          + "CreateDBSnapshot ModifyDBInstance DeleteDBInstance! CreateDBInstance StopDBInstance "
          + "DescribeDBParameterGroups DescribeEvents ModifyDBSnapshotAttribute!"},
      {"cloudwatch", "monitoring.amazonaws.com", "DescribeAlarms*5 GetMetricData*6 PutMetricAlarm "
          + "DeleteAlarms! ListMetrics*2 GetMetricStatistics*3 DescribeAlarmHistory DisableAlarmActions!"},
      {"sns", "sns.amazonaws.com", "ListTopics*2 GetTopicAttributes*2 CreateTopic Subscribe "
          + "DeleteTopic! ListSubscriptions SetTopicAttributes"},
      {"sqs", "sqs.amazonaws.com", "ListQueues*2 GetQueueAttributes*4 CreateQueue DeleteQueue! "
          + "SetQueueAttributes GetQueueUrl*3 PurgeQueue!"},
      {"secretsmanager", "secretsmanager.amazonaws.com", "GetSecretValue*8 ListSecrets*2 "
          + "DescribeSecret*2 CreateSecret PutSecretValue DeleteSecret! RotateSecret GetResourcePolicy"},
      {"ssm", "ssm.amazonaws.com", "GetParameter*6 GetParameters*4 GetParametersByPath*3 "
          + "DescribeParameters PutParameter DescribeInstanceInformation*2 StartSession SendCommand "
          + "UpdateInstanceInformation*8 ListCommands ListAssociations*3 GetDocument DeleteParameter"},
      {"ecr", "ecr.amazonaws.com", "GetAuthorizationToken*6 BatchGetImage*4 GetDownloadUrlForLayer*4 "
          + "DescribeRepositories*2 CreateRepository PutImage DescribeImages*2 BatchCheckLayerAvailability "
          + "SetRepositoryPolicy!"},
      {"eks", "eks.amazonaws.com", "ListClusters*2 DescribeCluster*5 CreateCluster DeleteCluster! "
          + "ListNodegroups DescribeNodegroup CreateAccessEntry!"},
      {"guardduty", "guardduty.amazonaws.com", "ListDetectors*2 GetDetector*2 ListFindings*3 "
          + "GetFindings*3 DeleteDetector! UpdateDetector! CreateFilter! ArchiveFindings! "
          + "DisassociateFromMasterAccount!"},
      {"config", "config.amazonaws.com", "DescribeConfigRules*2 DescribeConfigurationRecorders*2 "
          + "StopConfigurationRecorder! DeleteConfigurationRecorder! PutEvaluations*5 "
          + "DescribeComplianceByConfigRule DeleteDeliveryChannel!"},
      {"organizations", "organizations.amazonaws.com", "DescribeOrganization*3 ListAccounts*2 "
          + "ListRoots DescribeAccount ListPoliciesForTarget LeaveOrganization!"},
      {"route53", "route53.amazonaws.com", "ListHostedZones*2 GetHostedZone*2 "
          + "ChangeResourceRecordSets ListResourceRecordSets*2 GetChange"},
      {"elasticloadbalancing", "elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers*3 "
          + "DescribeTargetGroups*2 DescribeTargetHealth*4 RegisterTargets DeregisterTargets ModifyListener"},
      {"autoscaling", "autoscaling.amazonaws.com", "DescribeAutoScalingGroups*4 "
          + "UpdateAutoScalingGroup SetDesiredCapacity DescribeScalingActivities*2"},
      {"cloudformation", "cloudformation.amazonaws.com", "DescribeStacks*4 ListStacks*2 CreateStack "
          + "UpdateStack DeleteStack! DescribeStackEvents*3 GetTemplate ValidateTemplate"},
      {"sso", "sso.amazonaws.com", "GetRoleCredentials*3 ListAccounts*2 ListAccountRoles*2 Federate*2 "
          + "Logout"},
      {"athena", "athena.amazonaws.com", "StartQueryExecution*2 GetQueryExecution*4 GetQueryResults*3 "
          + "ListWorkGroups"}};

  private static final Set<String> READ_ONLY_EXTRA = Set.of("Decrypt", "Encrypt", "GenerateDataKey",
      "ReEncrypt", "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "GetSessionToken",
      "GetFederationToken", "DecodeAuthorizationMessage", "Query", "Federate", "StartQuery",
      "GetRoleCredentials", "CheckMfa");
  private static final Set<String> NOT_READ_ONLY = Set.of("GetConsoleOutput", "ConsoleLogin",
      "SwitchRole", "RenewRole", "ExitRole");

  private final Map<String, List<Api>> byService = new HashMap<>();
  private final Map<String, int[]> cumulative = new HashMap<>();
  private final Map<String, Api> byName = new HashMap<>();

  EventCatalog() {
    for (String[] s : RAW) {
      List<Api> apis = new ArrayList<>();
      for (String token : s[2].split(" ")) {
        boolean data = token.startsWith("+");
        String t = data ? token.substring(1) : token;
        boolean scenarioOnly = t.startsWith("~");
        t = scenarioOnly ? t.substring(1) : t;
        boolean rare = t.endsWith("!");
        t = rare ? t.substring(0, t.length() - 1) : t;
        int star = t.indexOf('*');
        String name = star < 0 ? t : t.substring(0, star);
        int weight = scenarioOnly ? 0 : rare ? 1 : RARE_RATIO * (star < 0 ? 1 : Integer.parseInt(t.substring(star + 1)));
        boolean ro = !NOT_READ_ONLY.contains(name) && (READ_ONLY_EXTRA.contains(name)
            || name.matches("(Get|List|Describe|Head|Lookup|BatchGet|BatchCheck|Filter|Validate).*"));
        Api api = new Api(s[0], s[1], name, weight, ro, data);
        apis.add(api);
        byName.put(s[0] + ":" + name, api);
      }
      int[] cum = new int[apis.size()];
      int total = 0;
      for (int i = 0; i < apis.size(); i++) {
        total += apis.get(i).weight;
        cum[i] = total;
      }
      byService.put(s[0], apis);
      cumulative.put(s[0], cum);
    }
  }

  /** A weighted random action of {@code service}. */
  Api pick(SplittableRandom r, String service) {
    List<Api> apis = byService.get(service);
    int[] cum = cumulative.get(service);
    int x = r.nextInt(cum[cum.length - 1]);
    for (int i = 0; i < cum.length; i++) {
      if (x < cum[i]) {
        return apis.get(i);
      }
    }
    return apis.get(apis.size() - 1);
  }

  /** A named action; fails loudly on a typo in a scenario. */
  Api get(String service, String eventName) {
    Api a = byName.get(service + ":" + eventName);
    if (a == null) {
      throw new IllegalArgumentException("no event " + service + ":" + eventName + " in catalog");
    }
    return a;
  }

  int size() {
    return byName.size();
  }
}
