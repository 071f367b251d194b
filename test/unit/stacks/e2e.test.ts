import { runStack, StackRun } from "../../../mock-engine";
import { eksCluster, NAT_GATEWAY, privateSubnetZones } from "./describe";

let e2e: StackRun;
beforeAll(async () => {
  e2e = await runStack("e2e");
});

test("e2e is cheap: two AZs (the EKS minimum) behind one NAT gateway", () => {
  expect(new Set(privateSubnetZones(e2e)).size).toBe(2);
  expect(e2e.ofType(NAT_GATEWAY)).toHaveLength(1);
});

test("e2e runs on spot capacity only", () => {
  const groups = e2e.ofType("aws:eks/nodeGroup:NodeGroup");
  expect(groups.length).toBeGreaterThan(0);
  for (const group of groups) expect(group.inputs.capacityType).toBe("SPOT");
});

test("e2e runs Calico as the CNI with a VXLAN pool outside the VPC", () => {
  expect(e2e.outputs.calicoMode).toBe("cni");
  expect(e2e.outputs.calicoIpPool).toMatchObject({ cidr: "100.64.0.0/16", encapsulation: "VXLAN" });
});

test("e2e keeps single replicas, a public endpoint limited to the office, and protects nothing", () => {
  const values = e2e.ofType("kubernetes:helm.sh/v4:Chart").find((r) => r.inputs.chart === "kube-prometheus-stack")!.inputs.values;
  expect(values.prometheus.prometheusSpec.replicas).toBe(1);
  // The office, and the hub's NAT addresses, where the hub's runners and VPN users come from (delivery-config.test.ts).
  expect(eksCluster(e2e).inputs.vpcConfig).toMatchObject({
    endpointPublicAccess: true,
    publicAccessCidrs: ["203.0.113.0/24", "198.51.100.10/32", "198.51.100.11/32"],
  });
  expect(e2e.resources.filter((r) => r.protect)).toEqual([]);
});
