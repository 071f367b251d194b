import { runStack, StackRun } from "../../../mock-engine";
import { eksCluster, NAT_GATEWAY, privateSubnetZones, typeCounts } from "./describe";

let stage: StackRun;
let prod: StackRun;
beforeAll(async () => {
  stage = await runStack("stage");
  prod = await runStack("prod");
});

test("stage mimics prod: the same resources, type by type and name by name", () => {
  expect(typeCounts(stage)).toEqual(typeCounts(prod));
  expect(stage.resources.map((r) => `${r.type} ${r.name}`).sort()).toEqual(prod.resources.map((r) => `${r.type} ${r.name}`).sort());
});

test("stage has prod's shape: three AZs, NAT per AZ, private endpoint, the same node pools", () => {
  expect(new Set(privateSubnetZones(stage)).size).toBe(3);
  expect(stage.ofType(NAT_GATEWAY)).toHaveLength(3);
  expect(eksCluster(stage).inputs.vpcConfig.endpointPublicAccess).toBe(false);
  const pools = (run: StackRun) =>
    run.ofType("aws:eks/nodeGroup:NodeGroup").map((g) => [g.inputs.nodeGroupNamePrefix, g.inputs.capacityType]);
  expect(pools(stage)).toEqual(pools(prod));
});

test("stage is smaller than prod, and not protected: it is rebuilt from code", () => {
  const maxNodes = (run: StackRun) => run.ofType("aws:eks/nodeGroup:NodeGroup").reduce((n, g) => n + g.inputs.scalingConfig.maxSize, 0);
  expect(maxNodes(stage)).toBeLessThan(maxNodes(prod));
  expect(stage.resources.filter((r) => r.protect)).toEqual([]);
  expect(stage.outputs.vpcCidr).toBe("10.20.0.0/16");
});
