/**
 * What a node of an EC2 instance type offers Kubernetes: vCPUs, memory, and how many pods the VPC CNI can give
 * addresses. The config rule that every configured request fits a node pool (config/rules-capacity.ts) reads
 * this; a pool with a type missing here is a config error, so add the type (from the sources below) to use it.
 *
 * Sources:
 * - vCPUs and memory (GiB): AWS documentation "Amazon EC2 instance types", Specifications pages
 *   (https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html general purpose, co.html compute optimized,
 *   mo.html memory optimized). Within each family listed here memory is a fixed multiple of the vCPUs.
 * - eniMaxPods: awslabs/amazon-eks-ami `nodeadm/internal/kubelet/eni-max-pods.txt`, the table nodeadm (the
 *   AL2023 bootstrap) reads: ENIs × (IPv4 addresses per ENI − 1) + 2.
 */

export interface InstanceTypeSpec {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** Pods the VPC CNI can address on one instance (no prefix delegation); nodeadm sizes kube-reserved by it. */
  readonly eniMaxPods: number;
}

/** Sizes of the 6th/7th-generation m, c and r families, and their ENI pod limits (eni-max-pods.txt). */
const NITRO_SIZES: Record<string, { vcpus: number; eniMaxPods: number }> = {
  large: { vcpus: 2, eniMaxPods: 29 },
  xlarge: { vcpus: 4, eniMaxPods: 58 },
  "2xlarge": { vcpus: 8, eniMaxPods: 58 },
  "4xlarge": { vcpus: 16, eniMaxPods: 234 },
};

/** GiB of memory per vCPU: general purpose 4, compute optimized 2, memory optimized 8. */
const NITRO_FAMILIES: Record<string, number> = {
  m6i: 4,
  m6a: 4,
  m7i: 4,
  m7a: 4,
  m7g: 4,
  c6i: 2,
  c6a: 2,
  c7i: 2,
  c7a: 2,
  c7g: 2,
  r6i: 8,
  r6a: 8,
  r7i: 8,
  r7a: 8,
  r7g: 8,
};

/** Burstable types do not follow one ratio: listed one by one. */
const BURSTABLE: Record<string, InstanceTypeSpec> = {
  "t3.medium": { vcpus: 2, memoryGiB: 4, eniMaxPods: 17 },
  "t3.large": { vcpus: 2, memoryGiB: 8, eniMaxPods: 35 },
  "t3.xlarge": { vcpus: 4, memoryGiB: 16, eniMaxPods: 58 },
  "t3a.medium": { vcpus: 2, memoryGiB: 4, eniMaxPods: 17 },
  "t3a.large": { vcpus: 2, memoryGiB: 8, eniMaxPods: 35 },
  "t3a.xlarge": { vcpus: 4, memoryGiB: 16, eniMaxPods: 58 },
};

export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeSpec>> = {
  ...Object.fromEntries(
    Object.entries(NITRO_FAMILIES).flatMap(([family, gibPerVcpu]) =>
      Object.entries(NITRO_SIZES).map(([size, { vcpus, eniMaxPods }]) => [
        `${family}.${size}`,
        { vcpus, memoryGiB: vcpus * gibPerVcpu, eniMaxPods },
      ]),
    ),
  ),
  ...BURSTABLE,
};

export function instanceTypeSpec(instanceType: string): InstanceTypeSpec | undefined {
  return INSTANCE_TYPES[instanceType];
}
