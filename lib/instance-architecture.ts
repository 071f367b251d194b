/** What an EC2 instance type name says about the nodes it makes. */

export type CpuArchitecture = "x86_64" | "arm64";

/**
 * Instance type names read `<family><generation><attributes>.<size>`; a `g` among the attributes means a
 * Graviton (arm64) processor: m7g, c7gn, r8gd, is4gen, g5g. Everything else EKS runs is x86_64.
 */
export function architectureOf(instanceType: string): CpuArchitecture {
  const family = instanceType.split(".")[0];
  const attributes = /^[a-z]+\d+([a-z0-9-]*)$/.exec(family)?.[1] ?? "";
  return attributes.includes("g") ? "arm64" : "x86_64";
}

/** The EKS-optimised Amazon Linux 2023 AMI for a pool's instance types (they share one architecture: config rule). */
export function amiTypeFor(instanceTypes: readonly string[]): string {
  return architectureOf(instanceTypes[0]) === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}
