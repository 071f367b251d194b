import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NodePoolConfig } from "../../config/sections/cluster";
import { Naming } from "../../lib/naming";
import { boundedRole, managedPolicyArn } from "../aws-account";
import { amiTypeFor } from "../../lib/instance-architecture";
import {
  AUTOSCALER_TAG,
  kubeletUserData,
  NodeGroupPlan,
  nodeGroupPlans,
  nodeTemplateTags,
  nodeTemplateTagSuffix,
} from "./node-group-settings";
import { generationsOf, NodeGeneration } from "./node-generations";

export interface NodePoolsArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly clusterName: pulumi.Output<string>;
  /** The control plane's minor: rolling pools' node groups follow it; blue/green generations pin their own. */
  readonly kubernetesVersion: string;
  /** Private subnets only (nodes never get a public address), one per AZ in the order of `availabilityZones`. */
  readonly subnetIds: pulumi.Input<string>[];
  readonly availabilityZones: pulumi.Output<string[]>;
  readonly pools: NodePoolConfig[];
  readonly partition: string;
  /**
   * What nodes need to become Ready: the pod network (kube-proxy and the VPC CNI add-on, or Calico as the CNI).
   * Node groups are created after it, so that nodes become Ready as they join: EKS reports a node group whose
   * nodes stay NotReady as unhealthy, and its creation fails.
   */
  readonly podNetwork: pulumi.Resource[];
  /**
   * Pods per node, when pod addresses do not come from the VPC (Calico as the CNI). Unset, EKS derives the
   * limit from the instance type's ENI addresses, which is what the VPC CNI can actually give out.
   */
  readonly maxPods?: number;
}

/**
 * IMDS PUT response hop limit of every node: 1 answers IMDSv2 token requests from the node's own network
 * namespace only, so no pod (each one hop further away) obtains a token, and with it the node role. Pods on the
 * host network (aws-node, kube-proxy, calico-node, node-exporter) are the node's namespace. Nothing else the
 * platform runs reads IMDS: AWS credentials come from IRSA, regions and the VPC are given explicitly, and the EBS
 * CSI node plugin falls back to the Kubernetes API for its instance's identity (docs/cluster.md).
 */
export const METADATA_HOP_LIMIT = 1;

/** What every node group of the component shares, and what one group waits for. */
interface NodeGroupArgs extends NodePoolsArgs {
  readonly launchTemplate: aws.ec2.LaunchTemplate;
  readonly roleArn: pulumi.Output<string>;
  readonly dependsOn: pulumi.Resource[];
}

const TAINT_EFFECTS = { NoSchedule: "NO_SCHEDULE", PreferNoSchedule: "PREFER_NO_SCHEDULE", NoExecute: "NO_EXECUTE" } as const;

/**
 * EKS managed node groups, each pool with a hardened launch template: one group across every AZ, or for a
 * stateful pool one per AZ (`<name>-<pool>-az<i>`; other pools keep `<name>-<pool>`).
 */
export class NodePools extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  /** For policies other capabilities attach to every node (e.g. pulling through the ECR cache). */
  readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: NodePoolsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:NodePools", name, {}, opts);
    const { naming } = args;
    const childOpts = { parent: this, provider: args.awsProvider };

    // Deliberately without the VPC CNI policy: the CNI gets its own IRSA role, so that a pod that reaches
    // the instance metadata service cannot rewire the network interfaces of every instance in the account.
    const role = boundedRole(
      `${name}-role`,
      {
        name: naming.resource("eks-node"),
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      childOpts,
    );
    const policies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"].map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-${policy}`,
          { role: role.name, policyArn: managedPolicyArn(args.partition, policy) },
          childOpts,
        ),
    );

    for (const pool of args.pools) {
      const poolName = `${name}-${pool.name}`;
      const launchTemplate = new aws.ec2.LaunchTemplate(
        poolName,
        {
          name: naming.resource("eks", pool.name),
          updateDefaultVersion: true,
          // IMDSv2 only, on the node only (METADATA_HOP_LIMIT above).
          metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: METADATA_HOP_LIMIT },
          userData: args.maxPods === undefined ? undefined : kubeletUserData(args.maxPods),
          blockDeviceMappings: [
            {
              deviceName: "/dev/xvda",
              ebs: { volumeSize: pool.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            },
          ],
          // Instances and volumes are created by the Auto Scaling group: the provider's default tags never reach them.
          tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
            resourceType,
            tags: { ...naming.tags(), Name: naming.resource("eks", pool.name) },
          })),
        },
        childOpts,
      );

      const activeGroups: aws.eks.NodeGroup[] = [];
      for (const generation of generationsOf(pool, args.kubernetesVersion)) {
        for (const plan of nodeGroupPlans(generation.pool, args.subnetIds.length, generation.suffix)) {
          const group = this.nodeGroup(`${name}-${plan.suffix}`, plan, generation, {
            ...args,
            launchTemplate,
            roleArn: role.arn,
            // Tainted only once the active generation's groups exist, which EKS reports only when their nodes have
            // joined and are healthy (podNetwork above): the retiring nodes' pods always have somewhere to go.
            dependsOn: [...policies, ...args.podNetwork, ...(generation.retiring ? activeGroups : [])],
          });
          if (!generation.retiring) activeGroups.push(group);
        }
      }
    }

    this.roleArn = role.arn;
    this.roleName = role.name;
    this.registerOutputs({ roleArn: this.roleArn });
  }

  private nodeGroup(groupName: string, plan: NodeGroupPlan, generation: NodeGeneration, args: NodeGroupArgs): aws.eks.NodeGroup {
    const { pool } = generation;
    const childOpts = { parent: this, provider: args.awsProvider };
    const zone = plan.zone === undefined ? undefined : args.availabilityZones.apply((zones) => zones[plan.zone!]);
    const group = new aws.eks.NodeGroup(
      groupName,
      {
        clusterName: args.clusterName,
        // A prefix, so that a change that replaces the group can create the new one before deleting the old.
        nodeGroupNamePrefix: `${plan.suffix}-`,
        nodeRoleArn: args.roleArn,
        subnetIds: plan.zone === undefined ? args.subnetIds : [args.subnetIds[plan.zone]],
        version: generation.kubernetesVersion,
        amiType: amiTypeFor(pool.instanceTypes),
        capacityType: pool.capacityType,
        instanceTypes: pool.instanceTypes,
        scalingConfig: plan.scaling,
        // A version change rolls the group: new nodes first, then each old node cordoned and drained through the
        // Eviction API, so within PodDisruptionBudgets, maxUnavailable nodes at a time (EKS user guide, "Understand
        // each phase of node updates"). forceUpdateVersion stays unset: with it (UpdateNodegroupVersion `force`),
        // EKS terminates an old node whether or not a budget still protects its pods, instead of failing the update
        // once evictions have been refused for 15 minutes.
        updateConfig: { maxUnavailable: pool.maxUnavailable },
        labels: pool.labels,
        taints: pool.taints.map((t) => ({ key: t.key, value: t.value, effect: TAINT_EFFECTS[t.effect] })),
        launchTemplate: { id: args.launchTemplate.id, version: args.launchTemplate.latestVersion.apply(String) },
        tags: args.clusterName.apply((cluster) => ({ [`${AUTOSCALER_TAG}/enabled`]: "true", [`${AUTOSCALER_TAG}/${cluster}`]: "owned" })),
      },
      // desiredSize belongs to the cluster autoscaler once the group exists; config only sets the start.
      { ...childOpts, dependsOn: args.dependsOn, ignoreChanges: ["scalingConfig.desiredSize"] },
    );

    // The autoscaler reads these from the Auto Scaling group to know what a node of an empty group would look
    // like; EKS does not copy node-group labels and taints there. A retiring group's taint tag keeps the autoscaler
    // from scaling it up for pods that do not tolerate it.
    const autoScalingGroup = group.resources.apply((resources) => resources[0].autoscalingGroups[0].name);
    for (const [key, value] of Object.entries(nodeTemplateTags(pool, zone))) {
      new aws.autoscaling.Tag(
        `${groupName}-${nodeTemplateTagSuffix(key)}`,
        { autoscalingGroupName: autoScalingGroup, tag: { key, value, propagateAtLaunch: false } },
        childOpts,
      );
    }
    return group;
  }
}
