/** Rules that span sections: what one key may be depends on another. Each returns the violations it finds. */
import { cidrsOverlap } from "../lib/cidr";
import { PlatformConfig, PlatformSecrets } from "./schema";

export interface Violation {
  /** Key path below `platform:`, e.g. `teams[2].namespaces[0]`. */
  readonly path: string;
  readonly expected: string;
}

type Rule = (config: PlatformConfig, secrets: PlatformSecrets) => Violation[];

/** Built-in namespaces, and those the platform itself installs into. */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
export const PLATFORM_NAMESPACES = ["monitoring", "logging", "cert-manager", "cluster-autoscaler", "velero", "tigera-operator", "calico-system", "dex", "ci-runners"];

const awsOnlyForEks: Rule = (c) => {
  if (c.cluster.mode === "eks") {
    return [
      ...(c.aws ? [] : [{ path: "aws", expected: "an aws section (region, accountId, deployRoleArn): an EKS cluster needs an AWS account" }]),
      ...(c.network ? [] : [{ path: "network", expected: "a network section: an EKS cluster needs a VPC" }]),
    ];
  }
  const awsOnly: [string, boolean][] = [
    ["aws", c.aws !== undefined],
    ["network", c.network !== undefined],
    ["hub", c.hub !== undefined],
    ["admin", c.admin !== undefined],
    ["registries.pullThroughCache", c.registries.pullThroughCache.length > 0],
    ["registries.repositories", c.registries.repositories.length > 0],
    ["services.clusterAutoscaler", c.services.clusterAutoscaler.enabled],
    ["services.backups", c.services.backups.enabled],
  ];
  return awsOnly
    .filter(([, present]) => present)
    .map(([path]) => ({ path, expected: "nothing: an existing cluster (cluster.mode: existing) uses no AWS resources" }));
};

const prodIsHighlyAvailable: Rule = (c) => {
  if (c.environment.kind !== "prod") return [];
  const violations: Violation[] = [];
  if (c.network && c.network.azCount < 3) violations.push({ path: "network.azCount", expected: "at least 3 in prod (HA across availability zones)" });
  if (c.network && c.network.natGateways !== "perAz") violations.push({ path: "network.natGateways", expected: "perAz in prod (one NAT gateway per AZ)" });
  if (!c.environment.protectStatefulResources) violations.push({ path: "environment.protectStatefulResources", expected: "true in prod" });
  return violations;
};

const hubOnlyWhereItBelongs: Rule = (c) => {
  const isAdmin = c.environment.kind === "admin";
  const violations: Violation[] = [];
  if (isAdmin && !c.admin) violations.push({ path: "admin", expected: "an admin section in the admin stack" });
  if (!isAdmin && c.admin) violations.push({ path: "admin", expected: "no admin section outside the admin stack" });
  if (isAdmin && c.hub) violations.push({ path: "hub", expected: "no hub reference in the admin stack (admin never depends on environments)" });
  return violations;
};

const namespacesAreUsable: Rule = (c) => {
  const owners = new Map<string, string>();
  const violations: Violation[] = [];
  c.teams.forEach((team, t) => {
    const teamPath = `teams[${t}]`;
    if (c.teams.findIndex((other) => other.name === team.name) !== t) {
      violations.push({ path: `${teamPath}.name`, expected: `a team name not used by another team ("${team.name}" is taken)` });
    }
    (team.namespaces ?? [team.name]).forEach((ns, n) => {
      const path = team.namespaces ? `${teamPath}.namespaces[${n}]` : `${teamPath}.name`;
      if (RESERVED_NAMESPACES.includes(ns) || ns.startsWith("kube-")) {
        violations.push({ path, expected: `a namespace that is not built in and does not start with the reserved "kube-" prefix (got "${ns}")` });
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
};

const calicoFitsTheNetwork: Rule = (c) => {
  if (c.calico?.mode !== "cni") return [];
  const pool = c.calico.ipPool;
  const violations: Violation[] = [];
  if (!c.calico.bgp && pool.encapsulation.startsWith("IPIP")) {
    violations.push({ path: "calico.ipPool.encapsulation", expected: "VXLAN, VXLANCrossSubnet or None when bgp is false: IP-in-IP routes are distributed by BGP" });
  }
  if (!c.calico.bgp && pool.encapsulation === "None") {
    violations.push({ path: "calico.ipPool.encapsulation", expected: "an encapsulation when bgp is false: unencapsulated pod routes are only learned through BGP" });
  }
  if (c.network && cidrsOverlap(pool.cidr, c.network.vpcCidr)) {
    violations.push({ path: "calico.ipPool.cidr", expected: `a pod CIDR that does not overlap the VPC CIDR ${c.network.vpcCidr}` });
  }
  if (c.cluster.mode === "eks" && cidrsOverlap(pool.cidr, c.cluster.serviceCidr)) {
    violations.push({ path: "calico.ipPool.cidr", expected: `a pod CIDR that does not overlap the service CIDR ${c.cluster.serviceCidr}` });
  }
  return violations;
};

const secretsArePresent: Rule = (c, s) => {
  const missing = (key: string, expected: string): Violation => ({ path: key, expected: `a secret: ${expected}` });
  const violations: Violation[] = [];
  for (const { server } of c.registries.pullCredentials) {
    if (!s.registryPasswords[server]) violations.push(missing(`registryPasswords.${server}`, `the password for registries.pullCredentials ${server}`));
  }
  for (const { upstream, username } of c.registries.pullThroughCache) {
    if (username && !s.registryPasswords[upstream]) violations.push(missing(`registryPasswords.${upstream}`, `the token for the ${upstream} pull-through cache`));
  }
  const monitoring = c.observability.monitoring;
  if (monitoring.enabled) {
    for (const { name } of monitoring.alertmanager.receivers) {
      if (!s.alertReceiverSecrets[name]) violations.push(missing(`alertReceiverSecrets.${name}`, `the URL or key of alert receiver ${name}`));
    }
    if (!s.grafanaAdminPassword) violations.push(missing("grafanaAdminPassword", "Grafana's admin password"));
  }
  if (c.admin && !s.ldapBindPassword) violations.push(missing("ldapBindPassword", "the password of admin.dex.ldap.bindDN"));
  if (c.admin && !s.githubAppPrivateKey) violations.push(missing("githubAppPrivateKey", "the private key of the CI runners' GitHub App"));
  return violations;
};

export const RULES: Rule[] = [awsOnlyForEks, prodIsHighlyAvailable, hubOnlyWhereItBelongs, namespacesAreUsable, calicoFitsTheNetwork, secretsArePresent];
