/**
 * The operator.tigera.io/v1 `Installation` spec for each Calico mode. Field names and values are those of the
 * Tigera operator API (InstallationSpec, CNISpec, IPAMSpec, CalicoNetworkSpec, IPPool in tigera/operator
 * api/v1/installation_types.go); the operator validates them again when it reconciles.
 */
import { CalicoConfig } from "../../config/sections/calico";

export interface InstallationSpec {
  readonly kubernetesProvider: "EKS";
  /** Registry of every image the operator deploys, ending in `/`; absent: the operator's default (quay.io). */
  readonly registry?: string;
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

/**
 * `imageRegistry`: a mirror of quay.io. The operator builds each image as `<registry><imagePath>/<imageName>`
 * (InstallationSpec `registry`, whose value must end in `/`) with the default path `calico`, so
 * `<mirror>/calico/node:<version>` is the cached copy of `quay.io/calico/node:<version>`.
 */
export function installationSpec(config: CalicoConfig, imageRegistry?: string): InstallationSpec {
  const registry = imageRegistry === undefined ? {} : { registry: `${imageRegistry}/` };
  if (config.mode === "policy-only") {
    // The VPC CNI keeps addressing and routing pods; the operator rejects BGP and IP pools with a non-Calico CNI.
    return {
      kubernetesProvider: "EKS",
      ...registry,
      cni: { type: "AmazonVPC", ipam: { type: "AmazonVPC" } },
      calicoNetwork: { bgp: "Disabled" },
    };
  }
  const pool = config.ipPool;
  return {
    kubernetesProvider: "EKS",
    ...registry,
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
