/** Calico as each EKS environment configures it: a pod network that EC2 and the VPC can carry. */
import { cidrsOverlap, parseCidr } from "../lib/cidr";
import { ENCAPSULATION_OVERHEAD } from "./sections/calico";
import type { Rule, Violation } from "./violation";

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

export const CALICO_RULES: Rule[] = [calicoFitsTheNetwork];
