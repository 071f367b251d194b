import { z } from "zod";
import { tagValue } from "../aws-limits";
import { cidr, dnsLabel, groupName, noDuplicates, nonNegativeInt, quantity } from "../primitives";
import { quantityExceeds } from "../quantity";

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
  defaultLimits: z.strictObject({ defaultRequest: cpuMemory, default: cpuMemory }).superRefine((limits, ctx) => {
    // The API server rejects a LimitRange whose default request exceeds its default limit
    // ("default request value … must be less than or equal to default limit value"), mid-deploy.
    for (const resource of ["cpu", "memory"] as const) {
      const [request, limit] = [limits.defaultRequest?.[resource], limits.default?.[resource]];
      if (quantityExceeds(request, limit)) {
        ctx.addIssue({
          code: "custom",
          path: ["defaultRequest", resource],
          message: `expected at most default.${resource} (${limit}): Kubernetes refuses a default request above its default limit`,
        });
      }
    }
  }),
});

const egressRule = z.strictObject({
  cidr,
  ports: z.array(z.number().int().min(1).max(65535)).min(1),
  protocol: z.enum(["TCP", "UDP"]).default("TCP"),
});

/**
 * A GitHub repository as its OIDC tokens name it, with the immutable ids GitHub appends to the owner and the
 * repository (`<owner>@<owner id>/<repository>@<repository id>`, the default `sub` of repositories created or
 * renamed from 2026-07-15 and of older ones whose admins opt in: github/docs#45221). Names alone are refused: a
 * renamed organisation or a deleted repository frees its name for someone else, whose tokens would then match.
 */
export const githubRepository = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})@[0-9]+\/[A-Za-z0-9._-]{1,100}@[0-9]+$/, {
  message:
    "expected <owner>@<owner id>/<repository>@<repository id> as the repository's OIDC subject names it, such as example@1000001/payments-api@2000001 (gh api repos/<owner>/<repository> --jq '.owner.id, .id')",
});

/** The team's CI: which repositories' jobs deploy to its namespaces, and nothing else (components/ci-runners/team-access.ts). */
const teamCi = z.strictObject({
  /** Jobs of these repositories that run in the GitHub environment named after this environment (e2e, stage, prod). */
  repositories: z.array(githubRepository).min(1).superRefine(noDuplicates("a repository")),
});

export const teamSchema = z.strictObject({
  name: dnsLabel,
  /** Like the environment's, the team's ownership can become AWS tags (lib/naming.ts `tags(team)`). */
  owner: tagValue,
  costCentre: tagValue,
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
  /** Destinations outside the cluster the team's pods may reach, beyond what the network baseline allows. */
  egress: z.array(egressRule).default([]),
  /**
   * Whether the team may expose services to the internet: the `alb-public` IngressClass and internet-facing load
   * balancers. Its namespaces then carry PUBLIC_INGRESS_LABEL (lib/ingress-classes.ts), which admission and the
   * class's parameters select on; without it, only internal load balancers.
   */
  publicIngress: z.boolean().default(false),
  /** Deploys from CI: absent, no CI job acts in the team's namespaces. */
  ci: teamCi.optional(),
});

export const teamsSection = z.array(teamSchema);

/** A team's namespaces: those it lists, or one named after the team. */
export function teamNamespaces(team: { readonly name: string; readonly namespaces?: readonly string[] }): string[] {
  return team.namespaces ? [...team.namespaces] : [team.name];
}
export type TeamConfig = z.infer<typeof teamSchema>;
export type TenancyConfig = z.infer<typeof tenancySection>;
export type QuotaConfig = z.infer<typeof quota>;
