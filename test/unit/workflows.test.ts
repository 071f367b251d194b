/**
 * The delivery workflows, read as YAML: which exist, how their actions are pinned, what each job may do and where
 * it runs. actionlint checks them as GitHub would (test/e2e/workflows-lint.test.ts); these files check what they
 * mean: pull requests in workflows-pull-requests.test.ts, deploys and drift in workflows-deploy.test.ts, the tools
 * the jobs install in workflows-tools.test.ts.
 */
import { PLATFORM_SCALE_SET } from "../../components/ci-runners/runners";
import { files, texts, workflows, actionTexts, allJobs, allSteps, roleStep, touchesStacks } from "./workflows-fixtures";

test("the delivery workflows exist and parse", () => {
  expect(files.sort()).toEqual(["deploy.yml", "drift.yml", "preview.yml", "release.yml", "stack-preview.yml", "stack-up.yml"]);
  for (const file of files) expect(Object.keys(workflows[file].jobs).length).toBeGreaterThan(0);
});

test("every action is pinned to a commit, with the release it is in a comment; AWS is reached through OIDC only", () => {
  const pinned = /^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40} # v\d+\.\d+\.\d+$/;
  const lines = [...Object.values(texts), ...Object.values(actionTexts)].flatMap((text) => text.split("\n"));
  const uses = lines
    .map((line) => line.match(/^\s*(?:- )?uses: (.+)$/)?.[1])
    .filter((u): u is string => u !== undefined && !u.startsWith("./"));
  expect(uses.length).toBeGreaterThan(10);
  for (const use of uses) expect(use).toMatch(pinned);
  // One commit per action everywhere.
  const commits = new Map<string, Set<string>>();
  for (const use of uses) commits.set(use.split("@")[0], (commits.get(use.split("@")[0]) ?? new Set()).add(use.split("@")[1]));
  for (const [action, refs] of commits) expect({ action, refs: refs.size }).toEqual({ action, refs: 1 });
  for (const { file, step } of allSteps().filter(({ step }) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
    expect({ file, role: step.with?.["role-to-assume"], region: step.with?.["aws-region"] }).toEqual({
      file,
      role: "${{ steps.aws.outputs.role }}",
      region: "${{ steps.aws.outputs.region }}",
    });
  }
  for (const text of Object.values(texts))
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\.AWS/);
});

test("callers grant nothing by default; a job gets an OIDC token only where it assumes a role", () => {
  for (const [file, workflow] of Object.entries(workflows).filter(([, w]) => !("workflow_call" in w.on))) {
    expect({ file, permissions: workflow.permissions }).toEqual({ file, permissions: {} });
  }
  for (const { file, name, job } of allJobs().filter(({ job }) => job.steps)) {
    const assumesRole = roleStep(job) !== undefined;
    // Reusable workflows inherit the caller's grant, which is checked on the caller.
    if (!("workflow_call" in workflows[file].on))
      expect({ file, name, idToken: job.permissions?.["id-token"] }).toEqual({ file, name, idToken: assumesRole ? "write" : undefined });
  }
});

test("every job that touches a stack runs on the hub's platform runners, which reach the private API endpoints", () => {
  const jobs = allJobs().filter(({ job }) => touchesStacks(job));
  expect(jobs.map(({ file, name }) => `${file}:${name}`).sort()).toEqual([
    "drift.yml:check",
    "stack-preview.yml:preview",
    "stack-up.yml:plan",
    "stack-up.yml:plan-tag",
    "stack-up.yml:up",
  ]);
  for (const { job } of jobs) expect(job["runs-on"]).toBe(PLATFORM_SCALE_SET);
  // And nothing else runs there: unit tests and issue reports need no network path to a cluster.
  for (const { job } of allJobs().filter(({ job }) => !touchesStacks(job) && job.steps)) expect(job["runs-on"]).toBe("ubuntu-latest");
});
