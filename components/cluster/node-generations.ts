/**
 * The node-group generations of a pool. A rolling pool has one, at the control plane's minor, which EKS updates in
 * place. A blue/green pool has one or two, each at the minor its config pins; the one that is not active is
 * retiring: tainted so that nothing new is scheduled there while the operator drains it, then removed.
 */
import { NODE_GENERATIONS, NodePoolConfig } from "../../config/sections/cluster";
import { LABEL_PREFIX } from "../../lib/naming";

/** `<pool>-<generation>` on every node of a blue/green pool: what `kubectl drain --selector` selects a generation by. */
export const GENERATION_LABEL = `${LABEL_PREFIX}/node-generation`;
/**
 * On a retiring generation's nodes. NoSchedule, not NoExecute: a NoExecute taint makes the node lifecycle
 * controller delete every pod that does not tolerate it at once, bypassing PodDisruptionBudgets, which only the
 * Eviction API (`kubectl drain`, the cluster autoscaler's scale-down) honours (Kubernetes docs, "Taints and
 * Tolerations" and "API-initiated Eviction").
 */
export const RETIRING_TAINT = `${LABEL_PREFIX}/retiring`;

export interface NodeGeneration {
  /**
   * Appended to the pool's name in resource names and node group name prefixes: empty for a rolling pool and for
   * blue, whose node groups are the ones the pool had as a rolling pool; `-green` for green.
   */
  readonly suffix: string;
  readonly kubernetesVersion: string;
  readonly retiring: boolean;
  /**
   * The pool as this generation's node groups are configured: a blue/green generation adds its label; a retiring
   * one adds the retiring taint, and a minimum of 0 nodes so that the cluster autoscaler removes nodes as they
   * empty (it scales a group down through the Eviction API, so through PodDisruptionBudgets).
   */
  readonly pool: NodePoolConfig;
}

/** Active generation first: a retiring generation is only tainted once the active one's node groups are up. */
export function generationsOf(pool: NodePoolConfig, clusterVersion: string): NodeGeneration[] {
  if (pool.upgradeStrategy === "rolling") return [{ suffix: "", kubernetesVersion: clusterVersion, retiring: false, pool }];
  const present = NODE_GENERATIONS.filter((name) => pool.generations?.[name] !== undefined);
  const ordered = [
    ...present.filter((name) => name === pool.activeGeneration),
    ...present.filter((name) => name !== pool.activeGeneration),
  ];
  return ordered.map((name) => {
    const retiring = name !== pool.activeGeneration;
    const labels = { ...pool.labels, [GENERATION_LABEL]: `${pool.name}-${name}` };
    const taints = retiring ? [...pool.taints, { key: RETIRING_TAINT, value: name, effect: "NoSchedule" as const }] : pool.taints;
    return {
      suffix: name === "blue" ? "" : `-${name}`,
      kubernetesVersion: pool.generations![name]!,
      retiring,
      pool: { ...pool, labels, taints, minSize: retiring ? 0 : pool.minSize },
    };
  });
}
