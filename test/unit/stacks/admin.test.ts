import { runStack, StackRun } from "../../../mock-engine";
import { defaultHubOutputs } from "../../../mock-engine/provider-answers";
import { CLUSTER_OUTPUTS, NAT_GATEWAY, privateSubnetZones } from "./describe";

let admin: StackRun;
beforeAll(async () => {
  admin = await runStack("admin");
});

test("admin is the hub: it reads no other stack", () => {
  expect(admin.ofType("pulumi:pulumi:StackReference")).toEqual([]);
});

test("admin publishes what the environments read from it, under the names they read", () => {
  for (const output of Object.keys(defaultHubOutputs)) expect(admin.outputs[output]).toBeDefined();
  expect(admin.outputs.dexIssuerUrl).toBe("https://dex.admin.platform.example.com");
  for (const output of CLUSTER_OUTPUTS) expect(admin.outputs[output]).toBeDefined();
});

test("admin survives the loss of an AZ: two AZs, a NAT gateway each", () => {
  expect(new Set(privateSubnetZones(admin)).size).toBe(2);
  expect(admin.ofType(NAT_GATEWAY)).toHaveLength(2);
});

test("admin runs the hub's services: Transit Gateway, Client VPN, Dex and the CI runners", () => {
  expect(admin.ofType("aws:ec2transitgateway/transitGateway:TransitGateway")).toHaveLength(1);
  expect(admin.ofType("aws:ec2clientvpn/endpoint:Endpoint")).toHaveLength(1);
  const charts = admin.ofType("kubernetes:helm.sh/v4:Chart").map((c) => c.inputs.chart);
  expect(charts).toEqual(expect.arrayContaining(["dex", expect.stringContaining("gha-runner-scale-set-controller")]));
});
