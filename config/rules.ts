/** Rules that span sections: what one key may be depends on another. Each returns the violations it finds. */
import { cidrsOverlap, parseCidr } from "../lib/cidr";
import { PlatformConfig, PlatformSecrets } from "./schema";
import { ENCAPSULATION_OVERHEAD } from "./sections/calico";
import { EKS_ADDONS, IMAGES } from "../lib/versions";
import { architectureOf } from "../lib/instance-architecture";
import { TeamConfig, teamNamespaces } from "./sections/tenancy";
import { teamsFitOneStack, teamsOwnedElsewhere } from "./tenancy-shards";
import { ACCOUNT_RULES } from "./rules-accounts";
import { CAPACITY_RULES } from "./rules-capacity";
import { CI_RULES } from "./rules-ci";
import { existingClusterIsReachable } from "./rules-existing-cluster";
import { HARDENING_RULES } from "./rules-hardening";
import { UPGRADE_RULES } from "./rules-upgrades";
import { bootstrapAccessIsTimeBoxed, deployRunnersReach } from "./rules-delivery";
import { NETWORK_RULES } from "./rules-network";
import { secretsArePresent } from "./rules-secrets";
import { TENANCY_RULES } from "./rules-tenancy";
import { WORKLOAD_RULES } from "./rules-workloads";

export interface Violation {
  /** Key path below `platform:` (config/key-paths.ts syntax), e.g. `teams[2].namespaces[0]` or `registryPasswords["quay.io"]`. */
  readonly path: string;
  readonly expected: string;
  /** For a key of another namespace (`aws:region`): that namespace, `path` being the key inside it. */
  readonly namespace?: string;
}

export type Rule = (config: PlatformConfig, secrets: PlatformSecrets) => Violation[];

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

const awsOnlyForEks: Rule = (c) => {
  if (c.cluster.mode === "eks") {
    return [
      ...(c.aws
        ? []
        : [
            {
              path: "aws",
              expected: "an aws section (region, accountId, deployRoleArn, previewRoleArn): an EKS cluster needs an AWS account",
            },
          ]),
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
  if (c.network && c.network.azCount < 3)
    violations.push({ path: "network.azCount", expected: "at least 3 in prod (HA across availability zones)" });
  if (c.network && c.network.natGateways !== "perAz")
    violations.push({ path: "network.natGateways", expected: "perAz in prod (one NAT gateway per AZ)" });
  if (!c.environment.protectStatefulResources) violations.push({ path: "environment.protectStatefulResources", expected: "true in prod" });
  return violations;
};

const hubOnlyWhereItBelongs: Rule = (c) => {
  const isAdmin = c.environment.kind === "admin";
  const violations: Violation[] = [];
  if (isAdmin && !c.admin) violations.push({ path: "admin", expected: "an admin section in the admin stack" });
  if (!isAdmin && c.admin) violations.push({ path: "admin", expected: "no admin section outside the admin stack" });
  if (isAdmin && c.hub)
    violations.push({ path: "hub", expected: "no hub reference in the admin stack (admin never depends on environments)" });
  return violations;
};

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

/** AWS VPCs carry at most 9001-byte packets (jumbo frames); encapsulation headers come out of that. */
const VPC_MTU = 9001;
const LINK_LOCAL = "169.254.0.0/16";

const calicoFitsTheNetwork: Rule = (c) => {
  if (c.cluster.mode !== "eks") {
    return c.calico
      ? [
          {
            path: "calico",
            expected:
              "no calico section: Calico is installed only on the EKS clusters this program creates (an existing cluster brings its own CNI)",
          },
        ]
      : [];
  }
  if (!c.calico) {
    return [
      {
        path: "calico",
        expected: "a calico section (mode: policy-only or cni): each EKS environment chooses its pod network deliberately",
      },
    ];
  }
  if (c.calico.mode !== "cni") return [];
  const { bgp, mtu, ipPool: pool } = c.calico;
  const violations: Violation[] = [];
  const violation = (key: string, expected: string) => violations.push({ path: `calico.${key}`, expected });
  if (!bgp && pool.encapsulation.startsWith("IPIP")) {
    violation(
      "ipPool.encapsulation",
      "VXLAN when bgp is false: IP-in-IP routes are distributed by BGP (the operator rejects IPIP without BGP)",
    );
  }
  if (!bgp && pool.encapsulation === "None") {
    violation("ipPool.encapsulation", "an encapsulation when bgp is false: unencapsulated pod routes are only learned through BGP");
  }
  // EC2 drops packets addressed to neither end's own address unless the source/destination check is off,
  // which the node pools leave on; only always-encapsulated pools put node addresses on every packet.
  if (pool.encapsulation.endsWith("CrossSubnet")) {
    violation(
      "ipPool.encapsulation",
      "IPIP or VXLAN on EKS: a cross-subnet pool sends unencapsulated pod packets between nodes of one subnet, which EC2 drops while the nodes' source/destination check is on",
    );
  }
  if (pool.encapsulation === "None") {
    violation(
      "ipPool.encapsulation",
      "IPIP or VXLAN on EKS: EC2 drops unencapsulated pod packets (source/destination check) and the VPC routes no pod addresses between subnets",
    );
  }
  if (!pool.natOutgoing) {
    violation(
      "ipPool.natOutgoing",
      "true on EKS: the VPC has no route back to pool addresses, so traffic leaving the pool must be masqueraded behind the node address",
    );
  }
  const prefix = parseCidr(pool.cidr)!.prefix;
  if (pool.blockSize < prefix) {
    violation(
      "ipPool.blockSize",
      `at least ${prefix}, the prefix length of ipPool.cidr ${pool.cidr}: a per-node block must fit inside the pool`,
    );
  }
  const overhead = ENCAPSULATION_OVERHEAD[pool.encapsulation];
  if (mtu !== undefined && mtu > VPC_MTU - overhead) {
    violation(
      "mtu",
      `at most ${VPC_MTU - overhead} with ${pool.encapsulation}: the VPC carries ${VPC_MTU} bytes and ${pool.encapsulation} adds ${overhead}`,
    );
  }
  const reserved = [
    ...(c.network ? [{ range: c.network.vpcCidr, what: "the VPC CIDR" }] : []),
    { range: c.cluster.serviceCidr, what: "the service CIDR" },
    { range: LINK_LOCAL, what: "the link-local range" },
  ];
  for (const { range, what } of reserved) {
    if (cidrsOverlap(pool.cidr, range)) violation("ipPool.cidr", `a pod CIDR that does not overlap ${what} ${range}`);
  }
  return violations;
};

const servicesHaveWhatTheyNeed: Rule = (c) => {
  const violations: Violation[] = [];
  const { certManager, clusterAutoscaler } = c.services;
  if (certManager.enabled && c.cluster.mode !== "eks") {
    violations.push({
      path: "services.certManager.enabled",
      expected: "false on an existing cluster: cluster services are installed only on the EKS clusters this program creates",
    });
  }
  if (certManager.enabled && certManager.issuers.some((issuer) => issuer.startsWith("letsencrypt-"))) {
    if (!c.environment.hostedZoneId) {
      violations.push({
        path: "environment.hostedZoneId",
        expected: "the Route53 zone of <env>.<domain>: the letsencrypt issuers solve DNS-01 challenges in it",
      });
    }
    if (!certManager.acmeEmail) {
      violations.push({
        path: "services.certManager.acmeEmail",
        expected: "an e-mail address for the ACME account (Let's Encrypt's expiry notices) when a letsencrypt issuer is configured",
      });
    }
  }
  const autoscalerTags: Record<string, string> = IMAGES.clusterAutoscaler.tagByKubernetesMinor;
  if (clusterAutoscaler.enabled && c.cluster.mode === "eks" && !autoscalerTags[c.cluster.kubernetesVersion]) {
    violations.push({
      path: "cluster.kubernetesVersion",
      expected: `one of ${Object.keys(autoscalerTags).join(", ")} while services.clusterAutoscaler is enabled: the autoscaler's minor must match Kubernetes' (add the image tag to lib/versions.ts)`,
    });
  }
  return violations;
};

/** The hub's address plan, its Dex name and its CI node pool must fit the rest of the admin stack's config. */
const hubIsConsistent: Rule = (c) => {
  if (!c.admin) return [];
  const { admin, environment } = c;
  const violations: Violation[] = [];
  const zone = `${environment.kind}.${environment.domain}`;
  if (!environment.hostedZoneId) {
    violations.push({
      path: "environment.hostedZoneId",
      expected: `the Route53 zone of ${zone}: Dex's public name and its certificate validation records are created there`,
    });
  }
  if (!c.services.certManager.enabled) {
    violations.push({
      path: "services.certManager.enabled",
      expected:
        "true on the hub: Dex's public NLB is built by the AWS Load Balancer Controller, installed only with cert-manager (its webhook certificate)",
    });
  }
  if (admin.dexHostname && !admin.dexHostname.endsWith(`.${zone}`)) {
    violations.push({
      path: "admin.dexHostname",
      expected: `a name inside ${zone} (the zone environment.hostedZoneId), where its record and certificate are created`,
    });
  }
  const pool = c.cluster.mode === "eks" ? c.cluster.nodePools.find((p) => p.name === admin.ciRunners.nodePool) : undefined;
  if (!pool) {
    violations.push({ path: "admin.ciRunners.nodePool", expected: "the name of one of cluster.nodePools" });
  } else if (Object.keys(pool.labels).length === 0 || !pool.taints.some((t) => t.effect === "NoSchedule")) {
    violations.push({
      path: "admin.ciRunners.nodePool",
      expected: `a pool with labels and a NoSchedule taint (pool ${pool.name} has not), so that untrusted build steps get nodes no other pod shares`,
    });
  }
  const ranges = [
    ...(c.network ? [{ path: "network.vpcCidr", range: c.network.vpcCidr }] : []),
    { path: "admin.vpn.clientCidr", range: admin.vpn.clientCidr },
    ...admin.spokes.map((s, i) => ({ path: `admin.spokes[${i}].vpcCidr`, range: s.vpcCidr })),
  ];
  ranges.forEach((a, i) => {
    const clash = ranges.slice(0, i).find((b) => cidrsOverlap(a.range, b.range));
    if (clash)
      violations.push({
        path: a.path,
        expected: `a range that does not overlap ${clash.path} ${clash.range}: both are routed through the hub`,
      });
  });
  admin.spokes.forEach((spoke, i) => {
    if (spoke.name === environment.kind || admin.spokes.findIndex((s) => s.name === spoke.name) !== i) {
      violations.push({
        path: `admin.spokes[${i}].name`,
        expected: `an environment name used once and not the hub's own ("${spoke.name}")`,
      });
    }
  });
  return violations;
};

/** What an EKS cluster needs before anything is created: two AZs, pinned add-ons, a sign-in issuer, distinct pools. */
const eksClusterIsBuildable: Rule = (c) => {
  if (c.cluster.mode !== "eks") return [];
  const cluster = c.cluster;
  const violations: Violation[] = [];
  if (c.network && c.network.azCount < 2) {
    violations.push({ path: "network.azCount", expected: "at least 2 for an EKS cluster: EKS requires subnets in two availability zones" });
  }
  if (!EKS_ADDONS[cluster.kubernetesVersion]) {
    violations.push({
      path: "cluster.kubernetesVersion",
      expected: `one of ${Object.keys(EKS_ADDONS).join(", ")}: the versions whose EKS add-on builds are pinned in lib/versions.ts EKS_ADDONS`,
    });
  }
  if (c.environment.kind !== "admin" && !c.identity.oidc.issuerUrl && !c.hub) {
    violations.push({
      path: "identity.oidc.issuerUrl",
      expected: "an https:// issuer URL, or a hub section whose admin stack publishes Dex's issuer",
    });
  }
  cluster.nodePools.forEach((pool, i) => {
    if (cluster.nodePools.findIndex((other) => other.name === pool.name) !== i) {
      violations.push({ path: `cluster.nodePools[${i}].name`, expected: `a pool name not used by another pool ("${pool.name}" is taken)` });
    }
    if (new Set(pool.instanceTypes.map(architectureOf)).size > 1) {
      violations.push({
        path: `cluster.nodePools[${i}].instanceTypes`,
        expected: "instance types of one CPU architecture (all Graviton or none): a node group runs one AMI",
      });
    }
  });
  return violations;
};

/**
 * Monitoring and logging need the EKS cluster layer's storage (their Dex clients: config/rules-secrets.ts), monitoring
 * needs cert-manager, and in prod both need enough replicas to lose a zone.
 */
const observabilityFitsTheEnvironment: Rule = (c) => {
  const { monitoring, logging } = c.observability;
  const violations: Violation[] = [];
  const violation = (path: string, expected: string) => violations.push({ path, expected });
  const parts: [string, boolean][] = [
    ["monitoring", monitoring.enabled],
    ["logging", logging.enabled],
  ];
  for (const [part, enabled] of parts) {
    if (!enabled) continue;
    if (c.cluster.mode !== "eks") {
      violation(
        `observability.${part}.enabled`,
        "false on an existing cluster: its volumes use the gp3 StorageClass the EKS cluster layer creates",
      );
    }
  }
  if (monitoring.enabled && !c.services.certManager.enabled) {
    violation(
      "services.certManager.enabled",
      "true where observability.monitoring is enabled: cert-manager issues the Prometheus operator's admission-webhook certificate",
    );
  }
  if (logging.enabled && logging.elasticsearch.nodes === 2) {
    violation(
      "observability.logging.elasticsearch.nodes",
      "1 or at least 3: two master-eligible Elasticsearch nodes lose their quorum when either fails",
    );
  }
  if (c.environment.kind === "prod") {
    if (!monitoring.enabled) violation("observability.monitoring.enabled", "true in prod");
    if (!logging.enabled) violation("observability.logging.enabled", "true in prod");
    if (monitoring.enabled && monitoring.prometheus.replicas < 2)
      violation("observability.monitoring.prometheus.replicas", "at least 2 in prod");
    if (monitoring.enabled && monitoring.alertmanager.replicas < 3)
      violation("observability.monitoring.alertmanager.replicas", "at least 3 in prod");
    if (logging.enabled && logging.elasticsearch.nodes < 3)
      violation("observability.logging.elasticsearch.nodes", "at least 3 in prod (one per availability zone)");
  }
  return violations;
};

export const RULES: Rule[] = [
  awsOnlyForEks,
  prodIsHighlyAvailable,
  hubOnlyWhereItBelongs,
  namespacesAreUsable,
  calicoFitsTheNetwork,
  secretsArePresent,
  servicesHaveWhatTheyNeed,
  hubIsConsistent,
  eksClusterIsBuildable,
  observabilityFitsTheEnvironment,
  ...NETWORK_RULES,
  ...ACCOUNT_RULES,
  ...WORKLOAD_RULES,
  ...HARDENING_RULES,
  ...CAPACITY_RULES,
  ...UPGRADE_RULES,
  ...CI_RULES,
  ...TENANCY_RULES,
  deployRunnersReach(),
  bootstrapAccessIsTimeBoxed(),
  existingClusterIsReachable,
];
