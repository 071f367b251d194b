/**
 * What a team may be called and which namespaces it may own, beyond the built-in and platform namespaces
 * (config/rules.ts teamNamespacesAreUsable): a team owns the DNS names under `<team>.<env>.<domain>`
 * (lib/naming.ts Naming.teamDomain), so it may not be named after a service the platform publishes there; and the
 * ingress controller's namespace is the platform's even where no controller runs yet, since team namespaces
 * admit its traffic (components/tenancy/baseline.ts).
 */
import { PLATFORM_SERVICE_NAMES } from "../lib/naming";
import { committedStackConfig } from "./committed-stacks";
import type { Rule, Violation } from "./rules";
import { PLATFORM_NAMESPACES, RESERVED_NAMESPACES } from "./rules";
import { TeamConfig, teamNamespaces } from "./sections/tenancy";

/** The ingress controller's namespace when the environment names none (Pulumi.<env>.yaml tenancy.ingressNamespace). */
export const INGRESS_NAMESPACE = "ingress";

/** Teams' names and namespaces against the platform's DNS names and its ingress namespace(s). */
export function teamNamesAreTheirOwn(teams: readonly TeamConfig[], ingressNamespace?: string): Violation[] {
  const ingress = [...new Set([INGRESS_NAMESPACE, ...(ingressNamespace ? [ingressNamespace] : [])])];
  const violations: Violation[] = [];
  teams.forEach((team, t) => {
    const namePath = `teams[${t}].name`;
    if ((PLATFORM_SERVICE_NAMES as readonly string[]).includes(team.name)) {
      violations.push({
        path: namePath,
        expected: `a team name that is not one of the platform's services (${PLATFORM_SERVICE_NAMES.join(", ")}): a team owns <team>.<environment>.<domain> and the names under it, and "${team.name}" is the platform's`,
      });
    }
    teamNamespaces(team).forEach((namespace, n) => {
      const path = team.namespaces ? `teams[${t}].namespaces[${n}]` : namePath;
      const reportedElsewhere = RESERVED_NAMESPACES.includes(namespace) || PLATFORM_NAMESPACES.includes(namespace);
      if (!ingress.includes(namespace) || reportedElsewhere || violations.some((v) => v.path === path)) return;
      violations.push({
        path,
        expected: `a namespace other than the ingress controller's (${ingress.join(", ")}): team namespaces admit its traffic, so it is the platform's`,
      });
    });
  });
  return violations;
}

/** A tenancy shard's teams, against its environment's committed ingress namespace. */
export function shardTeamNamesAreTheirOwn(environment: string, teams: readonly TeamConfig[]): Violation[] {
  return teamNamesAreTheirOwn(teams, committedStackConfig(environment)?.["platform:tenancy"]?.ingressNamespace);
}

export const TENANCY_RULES: Rule[] = [(c) => teamNamesAreTheirOwn(c.teams, c.tenancy.ingressNamespace)];
