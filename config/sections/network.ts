import { z } from "zod";
import { cidr, positiveInt } from "../primitives";

export const networkSection = z.strictObject({
  vpcCidr: cidr,
  azCount: z.number().int().min(1).max(6, { message: "expected at most 6 availability zones" }),
  /** `perAz` survives the loss of an AZ; `single` is the cheap choice for throwaway environments. */
  natGateways: z.enum(["single", "perAz"]),
  /** VPC flow logs to CloudWatch; absent means off. */
  flowLogs: z.strictObject({ retentionDays: positiveInt }).optional(),
});
export type NetworkConfig = z.infer<typeof networkSection>;
