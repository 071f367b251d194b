/**
 * A tenancy shard runs for every team change: it loads `@pulumi/aws` (about 1.3 s of CPU per command, docs/scale.md)
 * only when one of its teams has something of AWS (a CI role, or a certificate where the environment has a public
 * zone), and the `local` stack never.
 */
import type { StackRun } from "../../mock-engine";

const mockAwsLoads: string[] = [];
jest.mock("@pulumi/aws", () => {
  mockAwsLoads.push("@pulumi/aws");
  return jest.requireActual("@pulumi/aws");
});

const gamma = { name: "gamma", owner: "gamma@example.com", costCentre: "cc-9900-gamma", groups: { developers: ["team-gamma"] } };
const withCi = { ...gamma, ci: { repositories: ["example@1000001/gamma@2000901"] } };

/** Runs a stack in a module registry of its own, and says whether `@pulumi/aws` was loaded meanwhile. */
async function loadsAws(run: (harness: typeof import("../../mock-engine")) => Promise<StackRun>): Promise<boolean> {
  mockAwsLoads.length = 0;
  await jest.isolateModulesAsync(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the mock engine of this isolated registry
    await run(require("../../mock-engine") as typeof import("../../mock-engine"));
  });
  return mockAwsLoads.length > 0;
}

let prodOutputs: Record<string, unknown>;
beforeAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the mock engine of the file's own registry
  const { runStack } = require("../../mock-engine") as typeof import("../../mock-engine");
  prodOutputs = (await runStack("prod")).outputs;
}, 120_000);

const shard = (harness: typeof import("../../mock-engine"), teams: object[], outputs = prodOutputs) =>
  harness.runStack("prod-tenancy-1", { configure: (c) => (c["platform:teams"] = teams), stackOutputs: { prod: outputs } });

test("the local stack loads no @pulumi/aws", async () => {
  expect(await loadsAws((harness) => harness.runStack("local", { configure: () => undefined }))).toBe(false);
});

test("a shard loads @pulumi/aws for its teams' certificates or CI roles, and not without either", async () => {
  const tenancy = prodOutputs.tenancy as Record<string, unknown>;
  const withoutZone = { ...prodOutputs, tenancy: { ...tenancy, teamTls: undefined } };
  expect(tenancy.teamTls).toBeDefined();
  expect(await loadsAws((harness) => shard(harness, [gamma], withoutZone))).toBe(false);
  expect(await loadsAws((harness) => shard(harness, [withCi], withoutZone))).toBe(true);
  expect(await loadsAws((harness) => shard(harness, [gamma]))).toBe(true);
});
