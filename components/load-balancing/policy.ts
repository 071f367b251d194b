/**
 * The AWS Load Balancer Controller's IAM policy: the upstream one (kubernetes-sigs/aws-load-balancer-controller,
 * docs/install/iam_policy.json, which the v3.5.0 chart's README links) narrowed to this account, region and VPC,
 * without the Cognito, WAF and Shield calls (switched off in the chart values: the platform uses none of them).
 * Everything it creates carries the `elbv2.k8s.aws/cluster` tag, and it changes or deletes only what carries it.
 */
import { AwsScope } from "../irsa";

const CLUSTER_TAG = "elbv2.k8s.aws/cluster";

/** Read-only calls with no resource-level permissions in IAM: they can only be granted on "*". */
export const UNSCOPABLE_LOOKUP_ACTIONS = [
  "ec2:DescribeAccountAttributes",
  "ec2:DescribeAddresses",
  "ec2:DescribeAvailabilityZones",
  "ec2:DescribeInternetGateways",
  "ec2:DescribeVpcs",
  "ec2:DescribeVpcPeeringConnections",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeInstances",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeTags",
  "ec2:DescribeCoipPools",
  "ec2:DescribeRouteTables",
  "ec2:GetCoipPoolUsage",
  "ec2:GetSecurityGroupsForVpc",
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeLoadBalancerAttributes",
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeListenerAttributes",
  "elasticloadbalancing:DescribeListenerCertificates",
  "elasticloadbalancing:DescribeSSLPolicies",
  "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTags",
  "elasticloadbalancing:DescribeTrustStores",
  "elasticloadbalancing:DescribeCapacityReservation",
  "acm:ListCertificates",
  "acm:DescribeCertificate",
];

export function loadBalancerControllerPolicy(scope: AwsScope, vpcId: string) {
  const { partition, region, accountId } = scope;
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${accountId}:${resource}`;
  const securityGroups = arn("ec2", "security-group/*");
  const loadBalancers = [
    arn("elasticloadbalancing", "targetgroup/*/*"),
    arn("elasticloadbalancing", "loadbalancer/net/*/*"),
    arn("elasticloadbalancing", "loadbalancer/app/*/*"),
  ];
  const tagged = { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" } };
  // Tags of its own resources, never the cluster tag itself: a request setting it is refused (as upstream's), so the
  // controller cannot move a resource out of its cluster's reach or into another's.
  const retagged = { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "true", [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" } };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ElbServiceLinkedRole",
        Effect: "Allow",
        Action: "iam:CreateServiceLinkedRole",
        Resource: `arn:${partition}:iam::${accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`,
        Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
      },
      { Sid: "Lookups", Effect: "Allow", Action: UNSCOPABLE_LOOKUP_ACTIONS, Resource: "*" },
      {
        Sid: "SecurityGroupsInThisVpc",
        Effect: "Allow",
        Action: ["ec2:CreateSecurityGroup"],
        Resource: [arn("ec2", `vpc/${vpcId}`), securityGroups],
      },
      {
        Sid: "TagNewSecurityGroups",
        Effect: "Allow",
        Action: "ec2:CreateTags",
        Resource: securityGroups,
        Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" }, Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" } },
      },
      {
        // Backend rules on the nodes' security group, which the controller does not own, stay inside this VPC.
        Sid: "SecurityGroupRulesInThisVpc",
        Effect: "Allow",
        Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
        Resource: securityGroups,
        Condition: { ArnEquals: { "ec2:Vpc": arn("ec2", `vpc/${vpcId}`) } },
      },
      {
        Sid: "OwnSecurityGroups",
        Effect: "Allow",
        Action: "ec2:DeleteSecurityGroup",
        Resource: securityGroups,
        Condition: tagged,
      },
      {
        Sid: "CreateTaggedLoadBalancers",
        Effect: "Allow",
        Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
        Resource: loadBalancers,
        Condition: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" } },
      },
      {
        Sid: "TagOnCreate",
        Effect: "Allow",
        Action: "elasticloadbalancing:AddTags",
        Resource: loadBalancers,
        Condition: {
          StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
          Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" },
        },
      },
      {
        Sid: "OwnLoadBalancers",
        Effect: "Allow",
        Action: [
          "elasticloadbalancing:ModifyLoadBalancerAttributes",
          "elasticloadbalancing:SetIpAddressType",
          "elasticloadbalancing:SetSecurityGroups",
          "elasticloadbalancing:SetSubnets",
          "elasticloadbalancing:DeleteLoadBalancer",
          "elasticloadbalancing:ModifyTargetGroup",
          "elasticloadbalancing:ModifyTargetGroupAttributes",
          "elasticloadbalancing:DeleteTargetGroup",
          "elasticloadbalancing:ModifyCapacityReservation",
          "elasticloadbalancing:CreateListener",
        ],
        Resource: loadBalancers,
        Condition: tagged,
      },
      {
        Sid: "RetagOwnResources",
        Effect: "Allow",
        Action: ["ec2:CreateTags", "ec2:DeleteTags", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
        Resource: [securityGroups, ...loadBalancers],
        Condition: retagged,
      },
      {
        Sid: "OwnTargets",
        Effect: "Allow",
        Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
        Resource: loadBalancers[0],
      },
      {
        Sid: "ListenersAndRules",
        Effect: "Allow",
        Action: [
          "elasticloadbalancing:DeleteListener",
          "elasticloadbalancing:ModifyListener",
          "elasticloadbalancing:ModifyListenerAttributes",
          "elasticloadbalancing:AddListenerCertificates",
          "elasticloadbalancing:RemoveListenerCertificates",
          "elasticloadbalancing:CreateRule",
          "elasticloadbalancing:ModifyRule",
          "elasticloadbalancing:DeleteRule",
          // Reorders rules when a path is added ahead of others or an Ingress joins or leaves a group.
          "elasticloadbalancing:SetRulePriorities",
          "elasticloadbalancing:AddTags",
          "elasticloadbalancing:RemoveTags",
        ],
        Resource: [
          arn("elasticloadbalancing", "listener/net/*/*/*"),
          arn("elasticloadbalancing", "listener/app/*/*/*"),
          arn("elasticloadbalancing", "listener-rule/net/*/*/*"),
          arn("elasticloadbalancing", "listener-rule/app/*/*/*"),
        ],
      },
    ],
  };
}
