import { z } from "zod";
import { cidr } from "../primitives";

export const ENCAPSULATIONS = ["IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet", "None"] as const;

const policyOnly = z.strictObject({
  /** Calico enforces NetworkPolicy on top of the AWS VPC CNI: pods get VPC addresses, no overlay. */
  mode: z.literal("policy-only"),
});

const calicoCni = z.strictObject({
  /** Calico is the CNI and IPAM: pods get addresses from the pool below, not from the VPC. */
  mode: z.literal("cni"),
  bgp: z.boolean(),
  mtu: z.number().int().min(1000).max(9001).optional(),
  ipPool: z.strictObject({
    cidr,
    blockSize: z.number().int().min(20).max(32).default(26),
    encapsulation: z.enum(ENCAPSULATIONS),
    natOutgoing: z.boolean().default(true),
    nodeSelector: z.string().default("all()"),
  }),
});

export const calicoSection = z.discriminatedUnion("mode", [policyOnly, calicoCni]);
export type CalicoConfig = z.infer<typeof calicoSection>;
