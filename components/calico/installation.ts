/**
 * The operator.tigera.io/v1 `Installation` spec for each Calico mode. Field names and values are those of the
 * Tigera operator API (InstallationSpec, CNISpec, IPAMSpec, CalicoNetworkSpec, IPPool in tigera/operator
 * api/v1/installation_types.go); the operator validates them again when it reconciles.
 */
import { CalicoConfig } from "../../config/sections/calico";

export interface InstallationSpec {
  readonly kubernetesProvider: "EKS";
  readonly cni: { readonly type: "AmazonVPC" | "Calico"; readonly ipam: { readonly type: "AmazonVPC" | "Calico" } };
  readonly calicoNetwork: {
    readonly bgp: "Enabled" | "Disabled";
    readonly mtu?: number;
    readonly ipPools?: readonly {
      readonly cidr: string;
      readonly blockSize: number;
      readonly encapsulation: string;
      readonly natOutgoing: "Enabled" | "Disabled";
      readonly nodeSelector: string;
    }[];
  };
}

const enabled = (on: boolean) => (on ? "Enabled" : "Disabled");

export function installationSpec(config: CalicoConfig): InstallationSpec {
  if (config.mode === "policy-only") {
    // The VPC CNI keeps addressing and routing pods; the operator rejects BGP and IP pools with a non-Calico CNI.
    return { kubernetesProvider: "EKS", cni: { type: "AmazonVPC", ipam: { type: "AmazonVPC" } }, calicoNetwork: { bgp: "Disabled" } };
  }
  const pool = config.ipPool;
  return {
    kubernetesProvider: "EKS",
    cni: { type: "Calico", ipam: { type: "Calico" } },
    calicoNetwork: {
      bgp: enabled(config.bgp),
      ...(config.mtu === undefined ? {} : { mtu: config.mtu }),
      ipPools: [
        {
          cidr: pool.cidr,
          blockSize: pool.blockSize,
          encapsulation: pool.encapsulation,
          natOutgoing: enabled(pool.natOutgoing),
          nodeSelector: pool.nodeSelector,
        },
      ],
    },
  };
}
