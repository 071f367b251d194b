/**
 * Calico, in one of two deliberate modes. Field names follow the Tigera operator's `Installation` API
 * (operator.tigera.io/v1 CalicoNetworkSpec and IPPool); cross-section checks live in config/rules-calico.ts.
 */
import { z } from "zod";
import { cidr } from "../primitives";

/** operator.tigera.io/v1 EncapsulationType, verbatim. */
export const ENCAPSULATIONS = ["IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet", "None"] as const;
export type Encapsulation = (typeof ENCAPSULATIONS)[number];

/** Bytes each encapsulation adds to a pod packet (IPv4): the pod MTU must leave room for them. */
export const ENCAPSULATION_OVERHEAD: Record<Encapsulation, number> = {
  IPIP: 20,
  IPIPCrossSubnet: 20,
  VXLAN: 50,
  VXLANCrossSubnet: 50,
  None: 0,
};

const policyOnly = z.strictObject({
  /** Calico enforces NetworkPolicy on top of the AWS VPC CNI: pods get VPC addresses, no overlay. */
  mode: z.literal("policy-only"),
});

const ipPool = z.strictObject({
  /** Pod addresses; must not overlap the VPC, the service range or link-local space. */
  cidr,
  /** Prefix length of the per-node blocks carved from the pool; only settable when the pool is created. */
  blockSize: z
    .number()
    .int({ message: "expected a whole number" })
    .min(20, { message: "expected a block size between 20 and 32 (IPv4)" })
    .max(32, { message: "expected a block size between 20 and 32 (IPv4)" })
    .default(26),
  encapsulation: z.enum(ENCAPSULATIONS),
  /** Masquerade traffic leaving the pool behind the node's address. */
  natOutgoing: z.boolean().default(true),
  /** Calico selector of the nodes that take addresses from this pool. */
  nodeSelector: z.string().trim().min(1, { message: "expected a Calico selector such as all() or has(kubernetes.io/os)" }).default("all()"),
});

const calicoCni = z.strictObject({
  /** Calico is the CNI and IPAM: pods get addresses from the pool below, not from the VPC. */
  mode: z.literal("cni"),
  /** BGP between nodes (a full mesh): needed to distribute routes for IP-in-IP and unencapsulated pools. */
  bgp: z.boolean(),
  /** Pod network MTU; absent means Calico detects it from the node interface. */
  mtu: z
    .number()
    .int({ message: "expected a whole number" })
    .min(1000, { message: "expected an MTU of at least 1000" })
    .max(9001, { message: "expected an MTU of at most 9001 (the largest an AWS VPC carries)" })
    .optional(),
  ipPool,
});

export const calicoSection = z.discriminatedUnion("mode", [policyOnly, calicoCni]);
export type CalicoConfig = z.infer<typeof calicoSection>;
export type CalicoCniConfig = z.infer<typeof calicoCni>;
