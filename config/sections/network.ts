import { z } from "zod";
import { parseCidr, SMALLEST_AWS_SUBNET_PREFIX } from "../../lib/cidr";
import { cidr, positiveInt } from "../primitives";

/** AWS VPC "CIDR blocks": an IPv4 VPC block is between /16 and /28. */
const LARGEST_VPC_PREFIX = 16;

/** AWS services reachable through an interface endpoint (`com.amazonaws.<region>.<service>`). */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "sts"] as const;

export const networkSection = z.strictObject({
  /** Carved into a private and a public subnet per AZ (lib/cidr.ts layoutSubnets; config/rules-network.ts checks it fits). */
  vpcCidr: cidr.refine(
    (v) => {
      const prefix = parseCidr(v)?.prefix;
      return prefix === undefined || (prefix >= LARGEST_VPC_PREFIX && prefix <= SMALLEST_AWS_SUBNET_PREFIX);
    },
    { message: `expected a VPC CIDR from /${LARGEST_VPC_PREFIX} to /${SMALLEST_AWS_SUBNET_PREFIX} (the sizes an AWS VPC can have)` },
  ),
  /** At most what the region offers (lib/aws-regions.ts; config/rules-network.ts). */
  azCount: z
    .number()
    .int({ message: "expected a whole number" })
    .min(1, { message: "expected at least 1 availability zone" })
    .max(6, { message: "expected at most 6 availability zones" }),
  /** `perAz` survives the loss of an AZ; `single` is the cheap choice for throwaway environments. */
  natGateways: z.enum(["single", "perAz"]),
  /** VPC flow logs to an S3 bucket, expired after retentionDays; absent means off. */
  flowLogs: z.strictObject({ retentionDays: positiveInt }).optional(),
  /** Interface endpoints in the private subnets, billed per AZ-hour; the S3 gateway endpoint is always there. */
  interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINTS)).default([]),
});
export type NetworkConfig = z.infer<typeof networkSection>;
