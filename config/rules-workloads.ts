/**
 * A team namespace must admit the pods the platform's own defaults describe: a container without resources
 * gets tenancy.defaultLimits, and a quota below those defaults admits no such pod at all.
 */
import { parseQuantity } from "./quantity";
import type { Rule, Violation } from "./violation";
import type { QuotaConfig, TeamConfig, TenancyConfig } from "./sections/tenancy";

/** Quota key, and the default (LimitRange) value it must hold at least once. */
const QUOTA_DEFAULTS = [
  { quota: "requestsCpu", limits: "defaultRequest", resource: "cpu" },
  { quota: "requestsMemory", limits: "defaultRequest", resource: "memory" },
  { quota: "limitsCpu", limits: "default", resource: "cpu" },
  { quota: "limitsMemory", limits: "default", resource: "memory" },
] as const;

const defaultsFitTheQuotas: Rule = (c) => [
  ...quotaViolations(c.tenancy, c.tenancy.defaultQuota, "tenancy.defaultQuota"),
  ...teamQuotasAdmitDefaults(c.tenancy, c.teams),
];

/** The teams' own quotas against the environment's defaults (a tenancy shard checks its teams with this alone). */
export function teamQuotasAdmitDefaults(tenancy: TenancyConfig, teams: readonly TeamConfig[]): Violation[] {
  return teams.flatMap((team, i) => (team.quota ? quotaViolations(tenancy, team.quota, `teams[${i}].quota`) : []));
}

function quotaViolations({ defaultLimits }: TenancyConfig, quota: Partial<QuotaConfig>, base: string): Violation[] {
  const violations: Violation[] = [];
  for (const { quota: key, limits, resource } of QUOTA_DEFAULTS) {
    const [hard, perContainer] = [parseQuantity(quota[key]), parseQuantity(defaultLimits[limits][resource])];
    if (hard !== undefined && perContainer !== undefined && hard < perContainer) {
      violations.push({
        path: `${base}.${key}`,
        expected: `at least tenancy.defaultLimits.${limits}.${resource} (${defaultLimits[limits][resource]}): a container without resources gets that much, so the quota would admit none`,
      });
    }
  }
  return violations;
}

export const WORKLOAD_RULES: Rule[] = [defaultsFitTheQuotas];
