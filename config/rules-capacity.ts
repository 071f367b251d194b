/**
 * Capacity: every pod the config sizes fits a node of a pool it can be scheduled on, and pools that run pods with
 * zonal volumes are built per AZ. A pod that fits no node stays Pending forever, with nothing failing at deploy.
 */
import { instanceTypeSpec } from "../lib/ec2-instance-types";
import { allocatable, CALICO_MAX_PODS, EVICTION_THRESHOLD_MIB, formatCpu, formatMemory, VM_MEMORY_OVERHEAD } from "../lib/node-allocatable";
import { parseQuantity } from "./quantity";
import type { PlatformConfig } from "./schema";
import type { NodePoolConfig } from "./sections/cluster";
import type { Rule, Violation } from "./violation";
import { ContainerRequest, nodeDaemonSets, Placement, PlatformPod, platformPods } from "./workloads";

const REPELLING = ["NoSchedule", "NoExecute"];

/** Whether the scheduler may put a pod with `placement` on a node of `pool` (PreferNoSchedule only discourages). */
export function admits(pool: NodePoolConfig, placement: Placement): boolean {
  const selected = Object.entries(placement.nodeSelector).every(([key, value]) => pool.labels[key] === value);
  const tolerated = pool.taints
    .filter((taint) => REPELLING.includes(taint.effect))
    .every((taint) => placement.tolerations.some((t) => t.key === taint.key && t.value === taint.value && t.effect === taint.effect));
  return selected && tolerated;
}

type Resource = "cpu" | "memory";
const amount = (resource: Resource, quantity: string) => (parseQuantity(quantity) ?? 0) * (resource === "cpu" ? 1000 : 1);
const format = (resource: Resource, value: number) => (resource === "cpu" ? formatCpu(value) : formatMemory(value));

/** What one node of a pool leaves to a pod, per resource: its smallest instance type's allocatable less the DaemonSets. */
interface Room {
  readonly value: number;
  readonly instanceType: string;
  readonly why: string;
}

function roomOf(pool: NodePoolConfig, resource: Resource, c: PlatformConfig): Room | undefined {
  const maxPods = c.calico?.mode === "cni" ? CALICO_MAX_PODS : undefined;
  const daemonSets = nodeDaemonSets(c).reduce((sum, d) => sum + amount(resource, d[resource]), 0);
  const rooms = pool.instanceTypes.map((instanceType) => {
    const spec = instanceTypeSpec(instanceType);
    if (!spec) return undefined;
    const node = allocatable(spec, maxPods);
    const why =
      resource === "cpu"
        ? `${spec.vcpus} vCPUs less ${formatCpu(spec.vcpus * 1000 - node.cpuMillis)} kube-reserved and ${formatCpu(daemonSets)} of DaemonSets`
        : `${spec.memoryGiB}Gi less ${VM_MEMORY_OVERHEAD * 100}% the system keeps, ${node.kubeReservedMemoryMiB}Mi kube-reserved for ${node.reservedForPods} pods, ` +
          `the ${EVICTION_THRESHOLD_MIB}Mi eviction threshold and ${formatMemory(daemonSets)} of DaemonSets`;
    return { value: (resource === "cpu" ? node.cpuMillis : node.memoryBytes) - daemonSets, instanceType, why };
  });
  if (rooms.some((room) => room === undefined)) return undefined;
  return (rooms as Room[]).reduce((smallest, room) => (room.value < smallest.value ? room : smallest));
}

/** The key a too-large request is reported at: the one configured key among its containers, else the pod's section. */
function requestKey(pod: PlatformPod, resource: Resource): string {
  const keys = pod.containers.map((c) => (resource === "cpu" ? c.cpuKey : c.memoryKey)).filter((key): key is string => key !== undefined);
  return keys.length === 1 ? keys[0] : pod.path;
}

const breakdown = (containers: readonly ContainerRequest[], resource: Resource) =>
  containers.map((c) => `${c.container} ${c[resource]}`).join(" + ");

/** Instance types missing from the catalogue: without their size no request can be checked against them. */
const instanceTypesAreKnown: Rule = (c) => {
  if (c.cluster.mode !== "eks") return [];
  return c.cluster.nodePools.flatMap((pool, i) =>
    pool.instanceTypes
      .map((instanceType, j) => ({ instanceType, j }))
      .filter(({ instanceType }) => !instanceTypeSpec(instanceType))
      .map(({ j }) => ({
        path: `cluster.nodePools[${i}].instanceTypes[${j}]`,
        expected:
          "an instance type listed in lib/ec2-instance-types.ts (add it there from the AWS instance type specifications): its vCPUs, memory and pod limit decide which requests fit its nodes",
      })),
  );
};

/** Every configured request fits one node of at least one pool the pod may be scheduled on (EKS reserve formula). */
export const podsFitTheirNodePools: Rule = (c) => {
  if (c.cluster.mode !== "eks") return [];
  const pools = c.cluster.nodePools.map((pool, index) => ({ pool, index }));
  const violations: Violation[] = [];
  for (const pod of platformPods(c)) {
    const eligible = pools.filter(({ pool }) => admits(pool, pod.placement));
    if (eligible.length === 0) {
      violations.push({
        path: pod.path,
        expected: `a node pool ${pod.name} can be scheduled on: every pool of cluster.nodePools has a NoSchedule or NoExecute taint it does not tolerate, or lacks a label of its node selector`,
      });
      continue;
    }
    const candidates = eligible.map(({ pool, index }) => ({ pool, index, cpu: roomOf(pool, "cpu", c), memory: roomOf(pool, "memory", c) }));
    // A pool with an unknown instance type is reported by instanceTypesAreKnown; the pod could still fit there.
    if (candidates.some((p) => !p.cpu || !p.memory)) continue;
    const request = (resource: Resource) => pod.containers.reduce((sum, container) => sum + amount(resource, container[resource]), 0);
    const fits = (p: (typeof candidates)[number]) => request("cpu") <= p.cpu!.value && request("memory") <= p.memory!.value;
    if (candidates.some(fits)) continue;
    // The pool where the pod comes closest to fitting, by its scarcer resource.
    const best = candidates.reduce((a, b) =>
      Math.min(a.cpu!.value / request("cpu"), a.memory!.value / request("memory")) >=
      Math.min(b.cpu!.value / request("cpu"), b.memory!.value / request("memory"))
        ? a
        : b,
    );
    const others =
      candidates.length === 1
        ? `the only pool ${pod.name} can be scheduled on`
        : `the roomiest of the ${candidates.length} pools ${pod.name} can be scheduled on`;
    for (const resource of ["memory", "cpu"] as const) {
      const room = best[resource]!;
      if (request(resource) <= room.value) continue;
      violations.push({
        path: requestKey(pod, resource),
        expected:
          `${resource} requests that fit a node of cluster.nodePools[${best.index}].instanceTypes (pool "${best.pool.name}", ${others}): ` +
          `${pod.name} requests ${format(resource, request(resource))} (${breakdown(pod.containers, resource)}), ` +
          `one ${room.instanceType} node leaves ${format(resource, Math.max(room.value, 0))} to pods (${room.why})`,
      });
    }
  }
  return violations;
};

/**
 * Pods with zonal EBS volumes can only run in their volume's AZ: the cluster autoscaler adds a node there only if
 * a node group of that AZ exists (it cannot pick the AZ of a multi-AZ Auto Scaling group), so every pool such a
 * pod can be scheduled on is `stateful`, with a node group per AZ of at least one node each.
 */
export const statefulPodsGetZonalPools: Rule = (c) => {
  if (c.cluster.mode !== "eks") return [];
  const stateful = platformPods(c).filter((pod) => pod.stateful);
  const azCount = c.network?.azCount;
  return c.cluster.nodePools.flatMap((pool, i): Violation[] => {
    const landing = stateful.filter((pod) => admits(pool, pod.placement));
    if (!pool.stateful && landing.length > 0) {
      const pods = landing.map((pod) => `${pod.name} (${pod.path})`).join(", ");
      return [
        {
          path: `cluster.nodePools[${i}].stateful`,
          expected: `true: ${pods} keep data on zonal EBS volumes and can be scheduled on this pool, so it needs a node group per AZ for the cluster autoscaler to add nodes in a volume's AZ`,
        },
      ];
    }
    if (pool.stateful && azCount !== undefined && pool.maxSize < azCount) {
      return [
        {
          path: `cluster.nodePools[${i}].maxSize`,
          expected: `at least network.azCount (${azCount}): a stateful pool has one node group per AZ, each of at least one node`,
        },
      ];
    }
    return [];
  });
};

export const CAPACITY_RULES: Rule[] = [instanceTypesAreKnown, podsFitTheirNodePools, statefulPodsGetZonalPools];
