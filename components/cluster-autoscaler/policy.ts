import { AwsScope } from "../irsa";

/**
 * Read-only calls the autoscaler makes to discover groups, instance types and launch templates. IAM offers no
 * resource-level permissions for them, so they can only be granted on "*".
 */
export const UNSCOPABLE_DISCOVERY_ACTIONS = [
  "autoscaling:DescribeAutoScalingGroups",
  "autoscaling:DescribeAutoScalingInstances",
  "autoscaling:DescribeLaunchConfigurations",
  "autoscaling:DescribeScalingActivities",
  "autoscaling:DescribeTags",
  "ec2:DescribeImages",
  "ec2:DescribeInstanceTypes",
  "ec2:DescribeLaunchTemplateVersions",
  "ec2:GetInstanceTypesFromInstanceRequirements",
];

/**
 * Resizing is limited to Auto Scaling groups that carry this cluster's auto-discovery tags, which EKS puts on
 * the groups of the cluster's managed node groups, so the autoscaler cannot touch another cluster's nodes.
 */
export function autoscalerPolicy(scope: AwsScope, clusterName: string) {
  const { partition, region, accountId } = scope;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "Discover", Effect: "Allow", Action: UNSCOPABLE_DISCOVERY_ACTIONS, Resource: "*" },
      {
        Sid: "ResizeOwnNodeGroups",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: `arn:${partition}:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
        Condition: {
          StringEquals: {
            "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
            [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
          },
        },
      },
      // Labels and taints of managed node groups, so that empty (scaled-to-zero) groups can be simulated.
      {
        Sid: "ReadOwnNodeGroups",
        Effect: "Allow",
        Action: "eks:DescribeNodegroup",
        Resource: `arn:${partition}:eks:${region}:${accountId}:nodegroup/${clusterName}/*/*`,
      },
    ],
  };
}
