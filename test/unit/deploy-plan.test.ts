/**
 * Applying what was reviewed (scripts/deploy-plan): the plan's record, and every refusal before `up`, with a fake
 * CLI. The real engine's side (a plan saved, the stack changed behind it, the apply refused) is in
 * test/e2e/local-stack.test.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { unrenderedAtPreview } from "../../scripts/deploy-plan/completeness";
import { Refused } from "../../scripts/lib/command";
import { policyArgs } from "../../scripts/lib/policy-pack";
import { changingSteps } from "../../scripts/lib/preview-json";
import { COMMIT, exported, fakeDeps, PROJECT, SAMPLE_PREVIEW, tempDir } from "../deploy-plan-fakes";
import {
  applyPlan,
  FILES,
  PlanDeps,
  planChanges,
  planSummary,
  savePlan,
  stateFingerprint,
  teamsHeldElsewhere,
  teamsLeftBehind,
} from "../../scripts/deploy-plan/plan";

test("the state fingerprint ignores the write time, and changes with any resource or pending operation", () => {
  const base = stateFingerprint(exported([{ urn: "a" }]));
  expect(stateFingerprint(exported([{ urn: "a" }], "2026-12-02T00:00:00Z"))).toBe(base);
  expect(stateFingerprint(exported([{ urn: "a" }, { urn: "b" }]))).not.toBe(base);
  expect(stateFingerprint(exported([{ urn: "a" }], undefined, [{ type: "creating" }]))).not.toBe(base);
});

test("save records the plan with its commit and state, and a summary the approver reads", async () => {
  const dir = tempDir();
  const { deps, calls } = fakeDeps({ exported: exported([{ urn: "a" }]), head: COMMIT });
  await savePlan("prod", dir, PROJECT, deps);
  expect(calls[1]).toEqual([
    "preview",
    "--stack",
    "prod",
    "--json",
    "--save-plan",
    path.join(dir, FILES.plan),
    "--policy-pack",
    "policy",
    "--policy-pack-config",
    "policy/config/prod.json",
  ]);
  const record = JSON.parse(fs.readFileSync(path.join(dir, FILES.record), "utf8"));
  expect(record).toEqual({
    stack: "prod",
    commit: COMMIT,
    stateFingerprint: stateFingerprint(exported([{ urn: "a" }])),
    savedAt: "2026-12-02T03:00:00.000Z",
    unrendered: [],
  });
  expect(fs.readFileSync(path.join(dir, FILES.summary), "utf8")).toContain("| create | `kubernetes:core/v1:Namespace` | `gamma-gamma` |");
});

const CHART = "urn:pulumi:e2e::k8s-platform::platform:load-balancing:LoadBalancerController$kubernetes:helm.sh/v4:Chart::lbc-chart";
const CHART_CHILD =
  "urn:pulumi:e2e::k8s-platform::platform:load-balancing:LoadBalancerController$kubernetes:helm.sh/v4:Chart$kubernetes:core/v1:Service::lbc-chart:kube-system/webhook";
const chartStep = (op: string) => ({ op, urn: CHART, newState: { type: "kubernetes:helm.sh/v4:Chart" } });
const childStep = (op: string) => ({ op, urn: CHART_CHILD, newState: { type: "kubernetes:core/v1:Service", parent: CHART } });

describe("a plan that cannot hold the update: what its preview could not render", () => {
  test("a chart whose values wait on the update registers no object, and warns: it is unrendered", () => {
    expect(unrenderedAtPreview({ steps: [chartStep("create")] })).toEqual([CHART]);
    expect(
      unrenderedAtPreview({
        steps: [chartStep("create")],
        diagnostics: [{ urn: CHART, severity: "warning", message: "Input properties have unknown values. Preview is incomplete." }],
      }),
    ).toEqual([CHART]);
  });

  test("a chart with its objects, unchanged or changed, is rendered; one being deleted does not count", () => {
    expect(unrenderedAtPreview({ steps: [chartStep("same"), childStep("same")] })).toEqual([]);
    expect(unrenderedAtPreview({ steps: [chartStep("update"), childStep("create")] })).toEqual([]);
    expect(unrenderedAtPreview({ steps: [chartStep("delete")] })).toEqual([]);
  });

  test("save records it, the summary tells the approver, and apply runs the commit's update without the plan", async () => {
    const dir = tempDir();
    const incomplete = { steps: [chartStep("create"), ...SAMPLE_PREVIEW.steps], changeSummary: { create: 2, same: 1 } };
    const { deps, calls } = fakeDeps({ exported: exported([]), head: COMMIT, preview: incomplete });
    const record = await savePlan("e2e", dir, PROJECT, deps);
    expect(record.unrendered).toEqual([CHART]);
    const summary = fs.readFileSync(path.join(dir, FILES.summary), "utf8");
    expect(summary).toContain("**This plan is incomplete.** 1 component(s) could not be rendered in the preview");
    expect(summary).toContain("`kubernetes:helm.sh/v4:Chart::lbc-chart`");
    expect(summary).toContain("Approving runs the update of this commit (`pulumi up`, no saved plan).");
    expect(planChanges(incomplete)).toBe(true);
    calls.length = 0;
    await applyPlan("e2e", dir, "first deploy", PROJECT, deps);
    const up = calls.find((args) => args[0] === "up")!;
    expect(up).not.toContain("--plan");
    expect(up.slice(0, 5)).toEqual(["up", "--stack", "e2e", "--yes", "--skip-preview"]);
  });
});

describe("apply refuses, before anything runs, whatever differs from what was reviewed", () => {
  async function saved(stack = "prod") {
    const dir = tempDir();
    const state = { exported: exported([{ urn: "a" }]), head: COMMIT };
    const fake = fakeDeps(state);
    await savePlan(stack, dir, PROJECT, fake.deps);
    fake.calls.length = 0;
    return { dir, state, ...fake };
  }
  const ups = (calls: string[][]) => calls.filter((args) => args[0] === "up");

  test("another stack's plan", async () => {
    const { dir, deps, calls } = await saved("stage");
    await expect(applyPlan("prod", dir, "m", PROJECT, deps)).rejects.toThrow(
      new Refused(`the plan in ${dir} is for stack stage, not prod`),
    );
    expect(ups(calls)).toEqual([]);
  });

  test("another commit checked out", async () => {
    const { dir, state, deps, calls } = await saved();
    state.head = "b".repeat(40);
    await expect(applyPlan("prod", dir, "m", PROJECT, deps)).rejects.toThrow(
      /the plan was made from commit aaaaaaaaaaaa, but this checkout is bbbbbbbbbbbb/,
    );
    expect(ups(calls)).toEqual([]);
  });

  test("the stack changed since the plan (an update or a refresh behind it)", async () => {
    const { dir, state, deps, calls } = await saved();
    state.exported = exported([{ urn: "a", outputs: { changed: true } }]);
    await expect(applyPlan("prod", dir, "m", PROJECT, deps)).rejects.toThrow(
      /stack prod changed since its plan was saved at 2026-12-02T03:00:00.000Z .* Run the deploy again to review a new plan/,
    );
    expect(ups(calls)).toEqual([]);
  });

  test("otherwise it applies exactly the saved plan, with the policy pack", async () => {
    const { dir, deps, calls, streams: streamed } = await saved();
    await applyPlan("prod", dir, "deploy abc by me", PROJECT, deps);
    expect(ups(calls)).toEqual([
      [
        "up",
        "--stack",
        "prod",
        "--yes",
        "--skip-preview",
        "--plan",
        path.join(dir, FILES.plan),
        "--message",
        "deploy abc by me",
        "--policy-pack",
        "policy",
        "--policy-pack-config",
        "policy/config/prod.json",
      ],
    ]);
    expect(streamed).toEqual([true]);
  });
});

test("the summary says so when nothing changes: a read (a shard's StackReference, read on every run) is no change", () => {
  const unchanged = {
    steps: [
      { op: "same", urn: "urn:pulumi:e2e::p::t::x" },
      { op: "read", urn: "urn:pulumi:e2e::p::pulumi:pulumi:StackReference::environment" },
    ],
    changeSummary: { same: 1, read: 1 },
  };
  expect(changingSteps(unchanged)).toEqual([]);
  expect(planSummary({ stack: "e2e", commit: COMMIT, stateFingerprint: "", savedAt: "", unrendered: [] }, unchanged)).toContain(
    "No changes.",
  );
  expect(changingSteps({ steps: [...unchanged.steps, { op: "delete", urn: "urn:pulumi:e2e::p::t::y" }] })).toEqual([
    { op: "delete", urn: "urn:pulumi:e2e::p::t::y" },
  ]);
  expect(planChanges(unchanged)).toBe(false);
  expect(planChanges({ steps: [{ op: "delete", urn: "urn:pulumi:e2e::p::t::y" }] })).toBe(true);
  expect(planChanges({ changeSummary: {} })).toBe(true);
});

test("a tenancy shard is planned and applied with its environment's policy config", () => {
  const root = path.resolve(__dirname, "../..");
  expect(policyArgs("prod-tenancy-3", root)).toEqual([
    "--policy-pack",
    "policy",
    "--policy-pack-config",
    path.join("policy", "config", "prod.json"),
  ]);
});

/** A project of prod and its shards, each stack's file listing the given teams, with prod's policy config. */
function prodProject(teamsByStack: Record<string, string[]>): string {
  const project = tempDir();
  fs.mkdirSync(path.join(project, "policy", "config"), { recursive: true });
  fs.writeFileSync(path.join(project, "policy", "config", "prod.json"), "{}");
  for (const [stack, teams] of Object.entries(teamsByStack)) {
    fs.writeFileSync(
      path.join(project, `Pulumi.${stack}.yaml`),
      `config:\n  platform:teams: ${JSON.stringify(teams.map((name) => ({ name })))}\n`,
    );
  }
  return project;
}

/** `save` refuses, and writes no plan record. */
async function expectSaveRefused(stack: string, project: string, deps: PlanDeps, message: string): Promise<void> {
  const dir = tempDir();
  await expect(savePlan(stack, dir, project, deps)).rejects.toThrow(message);
  expect(fs.existsSync(path.join(dir, FILES.record))).toBe(false);
}

/** A preview step of a Team, by stack, operation and name. */
const team = (stack: string, op: string, name: string) => ({
  op,
  urn: `urn:pulumi:${stack}::k8s-platform::platform:tenancy:Team::${name}`,
});

test("a plan is refused when it would delete a team another stack of its environment lists: its state was not moved", async () => {
  const project = prodProject({ prod: ["alpha"], "prod-tenancy-1": ["gamma"], "prod-tenancy-2": ["delta"] });
  // Into a shard, out of a shard (back to the environment or into another shard); not across environments.
  expect(
    teamsLeftBehind("prod", [team("prod", "delete", "gamma"), team("prod", "delete", "omega"), team("prod", "same", "delta")], project),
  ).toEqual([{ team: "gamma", owner: "prod-tenancy-1" }]);
  expect(
    teamsLeftBehind(
      "prod-tenancy-1",
      [team("prod-tenancy-1", "delete", "alpha"), team("prod-tenancy-1", "delete", "delta"), team("prod-tenancy-1", "delete", "gamma")],
      project,
    ),
  ).toEqual([
    { team: "alpha", owner: "prod" },
    { team: "delta", owner: "prod-tenancy-2" },
  ]);
  expect(teamsLeftBehind("stage", [team("stage", "delete", "gamma")], project)).toEqual([]);

  const { deps } = fakeDeps({ exported: exported([]), head: COMMIT });
  const deleting = {
    ...deps,
    pulumi: async (args: string[]) =>
      args[0] === "preview"
        ? JSON.stringify({ steps: [team("prod-tenancy-1", "delete", "alpha"), team("prod-tenancy-1", "delete", "delta")] })
        : deps.pulumi(args),
  };
  await expectSaveRefused(
    "prod-tenancy-1",
    project,
    deleting,
    "the update would delete teams another stack of prod lists: alpha (Pulumi.prod.yaml); delta (Pulumi.prod-tenancy-2.yaml). Their state was not moved along with their config, " +
      "and the update would delete their namespaces: run `npm run move-teams -- prod --from prod-tenancy-1 --yes` and `npm run move-teams -- prod-tenancy-2 --from prod-tenancy-1 --yes` first " +
      '(docs/scale.md, "Moving teams between stacks").',
  );
});

test("a plan is refused when it would create a team another stack of its environment still holds in its state", async () => {
  const project = prodProject({ prod: ["gamma"], "prod-tenancy-1": [], "prod-tenancy-2": [] });
  const exports: string[] = [];
  const { deps } = fakeDeps({ exported: exported([]), head: COMMIT });
  const moving: PlanDeps = {
    ...deps,
    pulumi: async (args) => {
      if (args[0] === "preview") return JSON.stringify({ steps: [team("prod", "create", "gamma"), team("prod", "create", "omega")] });
      if (args[1] === "export" && args[3] !== "prod") exports.push(args[3]);
      // The first shard still holds gamma; the second was committed before its stack was created.
      if (args[1] === "export" && args[3] === "prod-tenancy-1")
        return exported([{ type: "platform:tenancy:Team", urn: team("prod-tenancy-1", "same", "gamma").urn }]);
      if (args[1] === "export" && args[3] === "prod-tenancy-2")
        throw new Error("Command failed: pulumi stack export\nerror: no stack named 'prod-tenancy-2' found");
      return deps.pulumi(args);
    },
  };
  expect(await teamsHeldElsewhere("prod", [team("prod", "create", "gamma"), team("prod", "create", "omega")], project, moving)).toEqual([
    { team: "gamma", owner: "prod-tenancy-1" },
  ]);
  expect(exports).toEqual(["prod-tenancy-1", "prod-tenancy-2"]);
  // Nothing created, nothing read.
  expect(await teamsHeldElsewhere("prod", [team("prod", "same", "gamma")], project, moving)).toEqual([]);
  expect(exports).toHaveLength(2);

  await expectSaveRefused(
    "prod",
    project,
    moving,
    "the update would create teams another stack of prod still holds: gamma (in prod-tenancy-1's state). Their config moved, their state did not, " +
      "this update would fail creating their namespaces, which exist (a provider that takes existing objects over would take them), and that stack's update would then delete them: " +
      "run `npm run move-teams -- prod --from prod-tenancy-1 --yes` first " +
      '(docs/scale.md, "Moving teams between stacks").',
  );
  // Any other failure to read a stack's state is not taken for an empty state.
  const denied: PlanDeps = {
    ...moving,
    pulumi: async (args) =>
      args[1] === "export" && args[3] === "prod-tenancy-1" ? Promise.reject(new Error("AccessDenied")) : moving.pulumi(args),
  };
  await expect(teamsHeldElsewhere("prod", [team("prod", "create", "gamma")], project, denied)).rejects.toThrow("AccessDenied");
});
