/** The hub (the admin stack) and its spokes: where the admin and hub sections belong, and the hub's own consistency. */
import { cidrsOverlap } from "../lib/cidr";
import type { Rule, Violation } from "./violation";

const hubOnlyWhereItBelongs: Rule = (c) => {
  const isAdmin = c.environment.kind === "admin";
  const violations: Violation[] = [];
  if (isAdmin && !c.admin) violations.push({ path: "admin", expected: "an admin section in the admin stack" });
  if (!isAdmin && c.admin) violations.push({ path: "admin", expected: "no admin section outside the admin stack" });
  if (isAdmin && c.hub)
    violations.push({ path: "hub", expected: "no hub reference in the admin stack (admin never depends on environments)" });
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

export const HUB_RULES: Rule[] = [hubOnlyWhereItBelongs, hubIsConsistent];
