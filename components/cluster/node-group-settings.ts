/** Settings of a pool's node groups that follow from its config alone: their split per AZ, autoscaler tags, user data. */
import * as pulumi from "@pulumi/pulumi";
import { NodePoolConfig } from "../../config/sections/cluster";

export const AUTOSCALER_TAG = "k8s.io/cluster-autoscaler";
const NODE_TEMPLATE = `${AUTOSCALER_TAG}/node-template`;

/**
 * The zone label the EBS CSI driver puts on nodes and into its volumes' node affinity. An empty per-AZ group's
 * Auto Scaling group carries it as a node-template tag, so the autoscaler knows that scaling that group from zero
 * gives a pod bound to a volume of that AZ its node (kubernetes/autoscaler#3230).
 */
export const EBS_ZONE_LABEL = "topology.ebs.csi.aws.com/zone";

export interface NodeGroupPlan {
  /**
   * URN name suffix and node group name prefix: the pool's name and its generation's suffix (node-generations.ts),
   * plus `-az<i>` for a stateful pool's groups.
   */
  readonly suffix: string;
  /** Index into the private subnets (one per AZ, in AZ order), or every subnet. */
  readonly zone?: number;
  readonly scaling: { minSize: number; desiredSize: number; maxSize: number };
}

/** `total` spread over `zones` groups, the first ones taking the remainder: 7 over 3 is 3, 2, 2. */
export function shareOf(total: number, zones: number, zone: number): number {
  return Math.floor(total / zones) + (zone < total % zones ? 1 : 0);
}

/**
 * One node group spanning every AZ, or for a stateful pool one per AZ with the pool's min/desired/max split
 * across them (each share grows with its total, so min ≤ desired ≤ max holds per group). The cluster autoscaler
 * balances the per-AZ groups (`balance-similar-node-groups`).
 */
export function nodeGroupPlans(pool: NodePoolConfig, zoneCount: number, generationSuffix = ""): NodeGroupPlan[] {
  const whole = { minSize: pool.minSize, desiredSize: pool.desiredSize, maxSize: pool.maxSize };
  const name = `${pool.name}${generationSuffix}`;
  if (!pool.stateful) return [{ suffix: name, scaling: whole }];
  return Array.from({ length: zoneCount }, (_, zone) => ({
    suffix: `${name}-az${zone}`,
    zone,
    scaling: {
      minSize: shareOf(pool.minSize, zoneCount, zone),
      desiredSize: shareOf(pool.desiredSize, zoneCount, zone),
      maxSize: shareOf(pool.maxSize, zoneCount, zone),
    },
  }));
}

/**
 * Cluster-autoscaler node-template tags (`…/label/<key>` → value, `…/taint/<key>` → `value:Effect`), and for a
 * group of one AZ its EBS zone label.
 */
export function nodeTemplateTags(pool: NodePoolConfig, zone?: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
  return {
    ...Object.fromEntries(Object.entries(pool.labels).map(([key, value]) => [`${NODE_TEMPLATE}/label/${key}`, value])),
    ...Object.fromEntries(pool.taints.map((t) => [`${NODE_TEMPLATE}/taint/${t.key}`, `${t.value}:${t.effect}`])),
    ...(zone === undefined ? {} : { [`${NODE_TEMPLATE}/label/${EBS_ZONE_LABEL}`]: zone }),
  };
}

/** The part of a node-template tag key a resource name is made of (`label/<key>`, `taint/<key>`). */
export function nodeTemplateTagSuffix(key: string): string {
  return key.slice(`${NODE_TEMPLATE}/`.length);
}

/**
 * An AL2023 `NodeConfig` in the MIME user data of a managed node group's launch template: EKS merges it with
 * its own, so only the kubelet setting that differs is written here.
 */
export function kubeletUserData(maxPods: number): string {
  const nodeConfig = [
    "---",
    "apiVersion: node.eks.aws/v1alpha1",
    "kind: NodeConfig",
    "spec:",
    "  kubelet:",
    "    config:",
    `      maxPods: ${maxPods}`,
  ];
  const mime = [
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="//"',
    "",
    "--//",
    "Content-Type: application/node.eks.aws",
    "",
    ...nodeConfig,
    "--//--",
    "",
  ];
  return Buffer.from(mime.join("\n")).toString("base64");
}
