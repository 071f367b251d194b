import { z } from "zod";
import { awsRoleArn, cidr, dnsLabel, nonNegativeInt, positiveInt } from "../primitives";

const taint = z.strictObject({
  key: z.string().min(1),
  value: z.string().default(""),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

export const nodePoolSchema = z
  .strictObject({
    name: dnsLabel,
    capacityType: z.enum(["ON_DEMAND", "SPOT"]),
    instanceTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: "expected an EC2 instance type such as m7i.large" })).min(1),
    minSize: nonNegativeInt,
    desiredSize: nonNegativeInt,
    maxSize: positiveInt,
    diskSizeGiB: positiveInt.default(50),
    /** Nodes replaced at once during a rolling update. */
    maxUnavailable: positiveInt.default(1),
    labels: z.record(z.string(), z.string()).default({}),
    taints: z.array(taint).default([]),
  })
  .refine((p) => p.minSize <= p.desiredSize && p.desiredSize <= p.maxSize, {
    message: "expected minSize <= desiredSize <= maxSize",
  });

const eksCluster = z.strictObject({
  mode: z.literal("eks"),
  kubernetesVersion: z.string().regex(/^1\.[0-9]{2}$/, { message: "expected a Kubernetes minor version such as 1.33" }),
  serviceCidr: cidr.default("172.20.0.0/16"),
  /** Empty: the API endpoint is private only (reached through the VPN and the Transit Gateway). */
  publicAccessCidrs: z.array(cidr).default([]),
  /** IAM roles of the infra team; they become cluster admins through access entries. */
  adminRoleArns: z.array(awsRoleArn).min(1),
  logRetentionDays: positiveInt.default(90),
  nodePools: z.array(nodePoolSchema).min(1),
});

const existingCluster = z.strictObject({
  mode: z.literal("existing"),
  /** Path to a kubeconfig file (relative paths are resolved from the project directory; `~` is expanded). */
  kubeconfig: z.string().min(1),
  context: z.string().min(1).optional(),
});

export const clusterSection = z.discriminatedUnion("mode", [eksCluster, existingCluster]);
export type EksClusterConfig = z.infer<typeof eksCluster>;
export type NodePoolConfig = z.infer<typeof nodePoolSchema>;
