/**
 * What each cluster mode needs: an EKS cluster its AWS account and network, an existing one no AWS resources
 * (its kubeconfig: config/rules-existing-cluster.ts); and what an EKS cluster needs before anything is created.
 */
import { architectureOf } from "../lib/instance-architecture";
import { EKS_ADDONS } from "../lib/versions";
import type { Rule, Violation } from "./violation";

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

/** The audit log answers "who changed this" in every environment; the other types are a cost decision. */
export const auditLogIsAlwaysOn: Rule = (c) => {
  if (c.cluster.mode !== "eks" || c.cluster.controlPlaneLogTypes.includes("audit")) return [];
  return [
    {
      path: "cluster.controlPlaneLogTypes",
      expected: `a list including "audit": the Kubernetes audit log is the record of who changed what`,
    },
  ];
};

export const CLUSTER_RULES: Rule[] = [awsOnlyForEks, eksClusterIsBuildable, auditLogIsAlwaysOn];
