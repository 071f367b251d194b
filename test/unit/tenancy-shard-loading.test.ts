/**
 * A tenancy shard runs for every team change: it loads `@pulumi/aws` (about 1.3 s of CPU per command, docs/scale.md)
 * only when one of its teams has CI, and the `local` stack never.
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

const shard = (harness: typeof import("../../mock-engine"), teams: object[]) =>
  harness.runStack("prod-tenancy-1", { configure: (c) => (c["platform:teams"] = teams), stackOutputs: { prod: prodOutputs } });

test("the local stack loads no @pulumi/aws", async () => {
  expect(await loadsAws((harness) => harness.runStack("local", { configure: () => undefined }))).toBe(false);
});

test("a shard whose teams have no CI loads no @pulumi/aws; one with a CI team does", async () => {
  expect(await loadsAws((harness) => shard(harness, [gamma]))).toBe(false);
  expect(await loadsAws((harness) => shard(harness, [withCi]))).toBe(true);
});
