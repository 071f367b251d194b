/**
 * What a team may be called and which namespaces it may own: none built in or the platform's, none another team's
 * (in this stack here, across an environment and its tenancy shards in config/tenancy-shards.ts). A team also owns
 * the DNS names under `<team>.<env>.<domain>` (lib/naming.ts Naming.teamDomain), so it may not be named after a
 * service the platform publishes there; and the ingress controller's namespace is the platform's even where no
 * controller runs yet, since team namespaces admit its traffic (components/tenancy/baseline.ts).
 */
import { PLATFORM_SERVICE_NAMES, teamCertificateDomainOf } from "../lib/naming";
import { committedStackConfig } from "./committed-stacks";
import { WORKLOAD_ENVIRONMENTS } from "./sections/environment";
import { TeamConfig, teamNamespaces } from "./sections/tenancy";
import { teamsFitOneStack, teamsOwnedElsewhere } from "./tenancy-shards";
import type { Rule, Violation } from "./violation";

/** Built-in namespaces, and those the platform itself installs into. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
export const PLATFORM_NAMESPACES = [
  "monitoring",
  "logging",
  "logging-agents",
  "cert-manager",
  "cluster-autoscaler",
  "velero",
  "tigera-operator",
  "calico-system",
  "dex",
  "ci-runners",
  "arc-systems",
];

const namespacesAreUsable: Rule = (c) => [
  ...teamNamespacesAreUsable(c.teams),
  ...teamsFitOneStack(c.environment.kind, c.teams),
  ...teamsOwnedElsewhere(c.environment.kind, c.environment.kind, c.teams),
];

/** Within one stack: names and namespaces unique, none built in or the platform's own. */
export function teamNamespacesAreUsable(teams: readonly TeamConfig[]): Violation[] {
  const owners = new Map<string, string>();
  const violations: Violation[] = [];
  teams.forEach((team, t) => {
    const teamPath = `teams[${t}]`;
    if (teams.findIndex((other) => other.name === team.name) !== t) {
      violations.push({ path: `${teamPath}.name`, expected: `a team name not used by another team ("${team.name}" is taken)` });
    }
    teamNamespaces(team).forEach((ns, n) => {
      const path = team.namespaces ? `${teamPath}.namespaces[${n}]` : `${teamPath}.name`;
      if (RESERVED_NAMESPACES.includes(ns) || ns.startsWith("kube-")) {
        violations.push({
          path,
          expected: `a namespace that is not built in and does not start with the reserved "kube-" prefix (got "${ns}")`,
        });
      } else if (PLATFORM_NAMESPACES.includes(ns)) {
        violations.push({ path, expected: `a namespace not used by the platform itself (${PLATFORM_NAMESPACES.join(", ")})` });
      } else if (owners.has(ns)) {
        violations.push({ path, expected: `a namespace not owned by another team ("${ns}" belongs to ${owners.get(ns)})` });
      } else {
        owners.set(ns, team.name);
      }
    });
  });
  return violations;
}

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

/** ACM: "The fully qualified domain name (FQDN)… can be up to 64 octets in length" (RequestCertificate, DomainName). */
export const ACM_DOMAIN_NAME_LIMIT = 64;

/** Each team's certificate, `*.<team>.<env>.<domain>`, must fit ACM, or the request fails in the team's deploy. */
export function teamCertificatesFit(environment: string, domain: string, teams: readonly TeamConfig[]): Violation[] {
  const room = ACM_DOMAIN_NAME_LIMIT - teamCertificateDomainOf("", environment, domain).length;
  return teams.flatMap((team, i) => {
    const name = teamCertificateDomainOf(team.name, environment, domain);
    return name.length > ACM_DOMAIN_NAME_LIMIT
      ? [
          {
            path: `teams[${i}].name`,
            expected: `a name of at most ${room} characters: its certificate ${name} is longer than ACM's ${ACM_DOMAIN_NAME_LIMIT}`,
          },
        ]
      : [];
  });
}

/** A shard's teams, against the committed stack file of their environment, which gives them their certificates. */
export function shardTeamCertificatesFit(environment: string, teams: readonly TeamConfig[]): Violation[] {
  const { domain, hostedZoneId } = committedStackConfig(environment)?.["platform:environment"] ?? {};
  return WORKLOAD_ENVIRONMENTS.includes(environment) && typeof domain === "string" && typeof hostedZoneId === "string"
    ? teamCertificatesFit(environment, domain, teams)
    : [];
}

const teamCertificatesAreRequestable: Rule = (c) =>
  WORKLOAD_ENVIRONMENTS.includes(c.environment.kind) && c.environment.hostedZoneId !== undefined
    ? teamCertificatesFit(c.environment.kind, c.environment.domain, c.teams)
    : [];

export const TENANCY_RULES: Rule[] = [
  namespacesAreUsable,
  (c) => teamNamesAreTheirOwn(c.teams, c.tenancy.ingressNamespace),
  teamCertificatesAreRequestable,
];
