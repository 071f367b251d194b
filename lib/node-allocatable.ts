/**
 * What the kubelet of an EKS-optimised Amazon Linux 2023 node leaves to pods (its allocatable CPU and memory),
 * as nodeadm, the AL2023 bootstrap, configures it: awslabs/amazon-eks-ami `nodeadm/internal/kubelet/config.go`
 * (`withDefaultReservedResources`, `getCPUMillicoresToReserve`, `GetMemoryMebibytesToReserve`, the default
 * `evictionHard`). nodeadm sets kube-reserved only: system-reserved is left unset (it only names the
 * `/system` cgroup), so nothing else is subtracted.
 */
import { InstanceTypeSpec } from "./ec2-instance-types";

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** Pods per node with Calico as the CNI: the kubelet's own default, written into the nodes' kubelet config. */
export const CALICO_MAX_PODS = 110;

/** nodeadm's `evictionHard` `memory.available`: the kubelet evicts below it, so pods never get it. */
export const EVICTION_THRESHOLD_MIB = 100;

/**
 * Memory the kernel and firmware keep: a node's memory capacity (MemTotal) is below the instance's nominal
 * memory. 7.5 % is Karpenter's default `vmMemoryOverheadPercent` for the same estimate; measured EKS nodes
 * lose 3-6 %, so what remains is this calculation's safety margin.
 */
export const VM_MEMORY_OVERHEAD = 0.075;

/** nodeadm's kube-reserved memory: 11 MiB per pod the node may run, plus 255 MiB. */
export function kubeReservedMemoryMiB(maxPods: number): number {
  return 11 * maxPods + 255;
}

/** nodeadm's kube-reserved CPU: 6 % of the first core, 1 % of the second, 0.5 % of cores 3-4, 0.25 % above. */
export function kubeReservedCpuMillis(vcpus: number): number {
  const total = vcpus * 1000;
  const bands = [
    { from: 0, to: 1000, basisPoints: 600 },
    { from: 1000, to: 2000, basisPoints: 100 },
    { from: 2000, to: 4000, basisPoints: 50 },
    { from: 4000, to: total, basisPoints: 25 },
  ];
  // Integer arithmetic per band, as nodeadm's getResourceToReserveInRange does.
  return bands.reduce(
    (sum, { from, to, basisPoints }) => sum + (total <= from ? 0 : Math.floor(((Math.min(total, to) - from) * basisPoints) / 10000)),
    0,
  );
}

export interface NodeResources {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

export interface Allocatable extends NodeResources {
  /** The pod count kube-reserved was sized for. */
  readonly reservedForPods: number;
  readonly kubeReservedMemoryMiB: number;
}

/**
 * Allocatable CPU and memory of one node. nodeadm sizes kube-reserved by the instance type's ENI pod limit even
 * when the kubelet's maxPods is raised (Calico as the CNI: `maxPodsOverride`); the larger of the two is used
 * here, so that the estimate holds whichever count a future bootstrap reserves for.
 */
export function allocatable(spec: InstanceTypeSpec, maxPodsOverride?: number): Allocatable {
  const reservedForPods = Math.max(spec.eniMaxPods, maxPodsOverride ?? 0);
  const reservedMiB = kubeReservedMemoryMiB(reservedForPods);
  const capacity = spec.memoryGiB * GIB * (1 - VM_MEMORY_OVERHEAD);
  return {
    cpuMillis: spec.vcpus * 1000 - kubeReservedCpuMillis(spec.vcpus),
    memoryBytes: Math.floor(capacity - (reservedMiB + EVICTION_THRESHOLD_MIB) * MIB),
    reservedForPods,
    kubeReservedMemoryMiB: reservedMiB,
  };
}

/** Quantities for messages: `13.52Gi`, `640Mi`; `1.6` or `550m` CPUs. */
export function formatMemory(bytes: number): string {
  return bytes >= GIB ? `${Number((bytes / GIB).toFixed(2))}Gi` : `${Math.round(bytes / MIB)}Mi`;
}

export function formatCpu(millis: number): string {
  return millis >= 1000 ? String(Number((millis / 1000).toFixed(2))) : `${Math.round(millis)}m`;
}
