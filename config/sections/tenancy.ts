import { z } from "zod";
import { dnsLabel, groupName, nonNegativeInt, quantity } from "../primitives";

export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;

const objectCounts = {
  pods: nonNegativeInt,
  services: nonNegativeInt,
  /** 0 forbids `LoadBalancer` Services in the namespace. */
  loadBalancers: nonNegativeInt,
  secrets: nonNegativeInt,
  configMaps: nonNegativeInt,
  persistentVolumeClaims: nonNegativeInt,
};

const computeQuota = {
  requestsCpu: quantity.optional(),
  requestsMemory: quantity.optional(),
  limitsCpu: quantity.optional(),
  limitsMemory: quantity.optional(),
  requestsStorage: quantity.optional(),
};

const quota = z.strictObject({ ...objectCounts, ...computeQuota });
const cpuMemory = z.strictObject({ cpu: quantity, memory: quantity });

export const tenancySection = z.strictObject({
  podSecurity: z.enum(POD_SECURITY_LEVELS).default("restricted"),
  /** Namespace of the ingress controller; team namespaces accept traffic from it. */
  ingressNamespace: dnsLabel.optional(),
  defaultQuota: quota,
  /** Applied when a container declares no resources, so quota'd namespaces still admit pods. */
  defaultLimits: z.strictObject({ defaultRequest: cpuMemory, default: cpuMemory }),
});

export const teamSchema = z.strictObject({
  name: dnsLabel,
  owner: z.string().min(1),
  costCentre: z.string().min(1),
  /** Namespaces owned by the team; defaults to one named after the team. */
  namespaces: z.array(dnsLabel).min(1).optional(),
  /** Directory groups (without the OIDC prefix) mapped to the team's roles in its namespaces. */
  groups: z
    .strictObject({
      admins: z.array(groupName).default([]),
      developers: z.array(groupName).default([]),
      viewers: z.array(groupName).default([]),
    })
    .refine((g) => g.admins.length + g.developers.length + g.viewers.length > 0, {
      message: "expected at least one group, otherwise nobody can use the team's namespaces",
    }),
  /** Overrides of the environment's default quota. */
  quota: quota.partial().optional(),
  podSecurity: z.enum(POD_SECURITY_LEVELS).optional(),
});

export const teamsSection = z.array(teamSchema);

/** A team's namespaces: those it lists, or one named after the team. */
export function teamNamespaces(team: { readonly name: string; readonly namespaces?: readonly string[] }): string[] {
  return team.namespaces ? [...team.namespaces] : [team.name];
}
export type TeamConfig = z.infer<typeof teamSchema>;
export type TenancyConfig = z.infer<typeof tenancySection>;
export type QuotaConfig = z.infer<typeof quota>;
