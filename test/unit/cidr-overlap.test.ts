/**
 * The address plan across all four AWS stacks, read from their Pulumi.<stack>.yaml files: networks that meet
 * through the Transit Gateway or the VPN must not overlap, and the hub's view of each environment must match
 * that environment's own file. No program runs here; only config is compared.
 */
import { cidrsOverlap } from "../../lib/cidr";
import { PROJECT, readStackConfig, StackConfig } from "../../mock-engine";

const HUB = "admin";
const WORKLOADS = ["e2e", "stage", "prod"];
const STACKS = [HUB, ...WORKLOADS];

interface Range {
  readonly stack: string;
  readonly what: string;
  readonly cidr: string;
  /**
   * Routed ranges (VPCs, VPN clients) travel between networks. Cluster-local ones (service CIDR, Calico pool
   * behind NAT) never leave their cluster, so they only must not hide a routed range from it; two clusters
   * may reuse the same local range.
   */
  readonly routed: boolean;
}

function addressPlan(configs: Record<string, StackConfig>): Range[] {
  return Object.entries(configs).flatMap(([stack, config]): Range[] => {
    const cluster = config["platform:cluster"];
    const calico = config["platform:calico"];
    const vpn = config["platform:admin"]?.vpn;
    return [
      { stack, what: "network.vpcCidr", cidr: config["platform:network"].vpcCidr, routed: true },
      ...(vpn ? [{ stack, what: "admin.vpn.clientCidr", cidr: vpn.clientCidr, routed: true }] : []),
      { stack, what: "cluster.serviceCidr", cidr: cluster.serviceCidr ?? "172.20.0.0/16", routed: false },
      ...(calico?.mode === "cni" ? [{ stack, what: "calico.ipPool.cidr", cidr: calico.ipPool.cidr, routed: false }] : []),
    ];
  });
}

/** Every pair of ranges that can meet on a wire and overlaps. */
function overlaps(plan: Range[]): string[] {
  const found: string[] = [];
  plan.forEach((a, i) => {
    for (const b of plan.slice(i + 1)) {
      const meet = a.routed || b.routed || a.stack === b.stack;
      if (meet && cidrsOverlap(a.cidr, b.cidr)) found.push(`${a.stack} ${a.what} ${a.cidr} overlaps ${b.stack} ${b.what} ${b.cidr}`);
    }
  });
  return found;
}

/** What the hub's `admin.spokes` says about each environment, against that environment's own file. */
function hubMismatches(configs: Record<string, StackConfig>): string[] {
  const admin = configs[HUB]["platform:admin"];
  const found: string[] = [];
  const spokeNames = admin.spokes.map((s: any) => s.name);
  for (const stack of WORKLOADS) {
    const config = configs[stack];
    const spoke = admin.spokes.find((s: any) => s.name === stack);
    if (!spoke) {
      found.push(`${stack} is not among admin.spokes (${spokeNames.join(", ")})`);
      continue;
    }
    const own = { vpcCidr: config["platform:network"].vpcCidr, accountId: config["platform:aws"].accountId };
    for (const [key, value] of Object.entries(own)) {
      if (spoke[key] !== value) found.push(`admin.spokes[${stack}].${key} = ${spoke[key]} but ${stack} has ${value}`);
    }
    const reference = config["platform:hub"]?.stack;
    if (!reference || reference.split("/").slice(1).join("/") !== `${PROJECT}/${HUB}`)
      found.push(`${stack} hub.stack = ${reference}: expected <organization>/${PROJECT}/${HUB}`);
    // Dex derives the dashboards' redirect URIs from the hub's domain, and kubectl uses one client for all.
    if (config["platform:environment"].domain !== configs[HUB]["platform:environment"].domain)
      found.push(`${stack} environment.domain differs from ${HUB}'s`);
    if (config["platform:identity"].oidc.clientId !== configs[HUB]["platform:identity"].oidc.clientId)
      found.push(`${stack} identity.oidc.clientId differs from ${HUB}'s`);
  }
  return found;
}

const realConfigs = () => Object.fromEntries(STACKS.map((stack) => [stack, structuredClone(readStackConfig(stack))]));

test("no two networks that meet through the hub overlap, in the committed stack files", () => {
  const plan = addressPlan(realConfigs());
  expect(plan.filter((r) => r.routed)).toHaveLength(STACKS.length + 1);
  expect(overlaps(plan)).toEqual([]);
});

test("the hub's list of environments matches each environment's own file", () => {
  expect(hubMismatches(realConfigs())).toEqual([]);
});

describe("the checks catch", () => {
  test("two environment VPCs that overlap", () => {
    const configs = realConfigs();
    configs.stage["platform:network"].vpcCidr = "10.30.128.0/17";
    expect(overlaps(addressPlan(configs))).toEqual(["stage network.vpcCidr 10.30.128.0/17 overlaps prod network.vpcCidr 10.30.0.0/16"]);
  });

  test("a service CIDR or Calico pool that hides a routed range, but not local ranges reused across clusters", () => {
    const configs = realConfigs();
    configs.e2e["platform:cluster"].serviceCidr = "10.0.0.0/16";
    configs.e2e["platform:calico"].ipPool.cidr = "10.255.0.0/16";
    configs.prod["platform:cluster"].serviceCidr = configs.stage["platform:cluster"].serviceCidr;
    expect(overlaps(addressPlan(configs))).toEqual([
      "admin network.vpcCidr 10.0.0.0/16 overlaps e2e cluster.serviceCidr 10.0.0.0/16",
      "admin admin.vpn.clientCidr 10.255.0.0/22 overlaps e2e calico.ipPool.cidr 10.255.0.0/16",
    ]);
  });

  test("the VPN client range inside an environment's VPC", () => {
    const configs = realConfigs();
    configs.admin["platform:admin"].vpn.clientCidr = "10.20.252.0/22";
    expect(overlaps(addressPlan(configs))).toEqual([
      "admin admin.vpn.clientCidr 10.20.252.0/22 overlaps stage network.vpcCidr 10.20.0.0/16",
    ]);
  });

  test("a hub that lists an environment with another CIDR or account", () => {
    const configs = realConfigs();
    configs.prod["platform:network"].vpcCidr = "10.40.0.0/16";
    configs.e2e["platform:aws"].accountId = "999999999999";
    configs.stage["platform:hub"].stack = "organization/k8s-platform/stage";
    expect(hubMismatches(configs)).toEqual([
      "admin.spokes[e2e].accountId = 333333333333 but e2e has 999999999999",
      "stage hub.stack = organization/k8s-platform/stage: expected <organization>/k8s-platform/admin",
      "admin.spokes[prod].vpcCidr = 10.30.0.0/16 but prod has 10.40.0.0/16",
    ]);
  });
});
