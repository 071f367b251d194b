import { AutoscalerConfig } from "../../config/sections/services";
import { NodePoolConfig } from "../../config/sections/cluster";
import { LABEL_PREFIX } from "../../lib/naming";
import { toGoDuration } from "../../lib/duration";
import { EBS_ZONE_LABEL } from "../cluster/node-group-settings";

/**
 * Node labels that differ between otherwise identical node groups (one group per pool and capacity type, and a
 * stateful pool's one group per AZ). Ignoring them lets `balance-similar-node-groups` treat a spot group and an
 * on-demand group of the same instance size as one pool of capacity, and a stateful pool's per-AZ groups as one,
 * and spread scale-ups across them (and their AZs); which pods may land on spot is still decided by taints and
 * tolerations, and a pod bound to a zonal volume still gets its own AZ, both of which the autoscaler simulates.
 * The zone labels: the autoscaler ignores `topology.kubernetes.io/zone` itself, but not the EBS CSI driver's
 * (only from some releases on, kubernetes/autoscaler#3230) or the AWS zone id.
 */
export const BALANCING_IGNORED_LABELS = [
  "eks.amazonaws.com/capacityType",
  "eks.amazonaws.com/nodegroup-image",
  "eks.amazonaws.com/sourceLaunchTemplateId",
  "eks.amazonaws.com/sourceLaunchTemplateVersion",
  `${LABEL_PREFIX}/pool`,
  EBS_ZONE_LABEL,
  "topology.k8s.aws/zone-id",
];

/** Expander priorities: spot pools first (cheaper), any other group after them. */
const SPOT_PRIORITY = 50;
const DEFAULT_PRIORITY = 10;

export function autoscalerArgs(config: AutoscalerConfig): Record<string, string | boolean> {
  return {
    "balance-similar-node-groups": true,
    expander: config.expander,
    "scale-down-unneeded-time": toGoDuration(config.scaleDownUnneededTime),
    "scale-down-delay-after-add": toGoDuration(config.scaleDownDelayAfterAdd),
    // The chart turns `key_n` into repeated `--key` flags.
    ...Object.fromEntries(BALANCING_IGNORED_LABELS.map((label, i) => [`balancing-ignore-label_${i + 1}`, label])),
  };
}

/**
 * Priorities as regular expressions on Auto Scaling group names, which EKS derives from the node group name
 * (`eks-<nodegroup>-<uuid>`); node groups are named `<pool>-<generated digits>`, or `<pool>-az<i>-<digits>` for
 * a stateful pool's, with `-green` after the pool's name for a blue/green pool's green generation
 * (components/cluster), so a pool `spot` does not also match a pool `spot-large`. Empty unless the priority
 * expander is chosen.
 */
export function expanderPriorities(config: AutoscalerConfig, nodePools: readonly NodePoolConfig[]): Record<string, string[]> {
  if (config.expander !== "priority") return {};
  const spot = nodePools
    .filter((pool) => pool.capacityType === "SPOT")
    .map(
      (pool) => `^eks-${pool.name}-${pool.upgradeStrategy === "blueGreen" ? "(green-)?" : ""}${pool.stateful ? "az[0-9]+-" : ""}[0-9]+-`,
    );
  return { ...(spot.length > 0 ? { [SPOT_PRIORITY]: spot } : {}), [DEFAULT_PRIORITY]: [".*"] };
}
