import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const STACKS = ["admin", "e2e", "prod", "stage"];

type Step = { id?: string; uses?: string; run?: string; with?: Record<string, unknown>; "working-directory"?: string; env?: Record<string, string> };
type Job = {
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  environment?: string;
  strategy?: { "fail-fast"?: boolean; matrix: Record<string, unknown[]> };
  steps?: Step[];
  if?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
};
type Workflow = { on: Record<string, any>; permissions?: Record<string, string>; jobs: Record<string, Job> };

const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
const texts = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(WORKFLOWS, f), "utf8")]));
const workflows: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parse(texts[f])]));
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

const needsOf = (job: Job) => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));
const stepsUsing = (job: Job, action: string) => (job.steps ?? []).filter((s) => s.uses?.startsWith(`${action}@`));
const calledWorkflow = (job: Job) => (job.uses?.startsWith("./.github/workflows/") ? workflows[path.basename(job.uses)] : undefined);
/** The steps a job runs: its own, or those of the reusable workflow it calls. */
const effectiveSteps = (job: Job): Step[] => job.steps ?? Object.values(calledWorkflow(job)?.jobs ?? {}).flatMap((j) => j.steps ?? []);
const pulumiStep = (name: string) => stepsUsing(workflows[name].jobs[Object.keys(workflows[name].jobs)[0]], "pulumi/actions")[0];

/** Jobs in the order `needs` allows them to run (each after everything it needs). */
function runOrder(workflow: Workflow): string[] {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    needsOf(workflow.jobs[name]).forEach(visit);
    order.push(name);
  };
  Object.keys(workflow.jobs).forEach(visit);
  return order;
}

test("the delivery workflows exist and parse", () => {
  expect(files.sort()).toEqual(["deploy.yml", "drift.yml", "preview.yml", "release.yml", "stack-preview.yml", "stack-up.yml"]);
  for (const file of files) expect(Object.keys(workflows[file].jobs).length).toBeGreaterThan(0);
});

test("actions are pinned to their current majors and AWS is reached through OIDC only, never with stored keys", () => {
  const expected: Record<string, string> = {
    "actions/checkout": "v7",
    "actions/setup-node": "v7",
    "aws-actions/configure-aws-credentials": "v6",
    "pulumi/actions": "v7",
  };
  for (const [file, workflow] of Object.entries(workflows)) {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        if (!step.uses) continue;
        const [action, ref] = step.uses.split("@");
        expect({ file, action, ref }).toEqual({ file, action, ref: expected[action] });
      }
      for (const step of stepsUsing(job, "aws-actions/configure-aws-credentials")) {
        expect(String(step.with?.["role-to-assume"])).toMatch(/^\$\{\{ .*vars\.AWS_[A-Z_]+ROLE_ARNS?\b.*\}\}$/);
        expect(step.with?.["aws-region"]).toBe("${{ vars.AWS_REGION }}");
      }
    }
    expect(texts[file]).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\.AWS/);
  }
});

test("every job that assumes an AWS role may request an OIDC token, and every PR comment may be written", () => {
  const callers = Object.entries(workflows).filter(([, w]) => !("workflow_call" in w.on));
  for (const [file, workflow] of callers) {
    expect({ file, permissions: workflow.permissions }).toEqual({ file, permissions: {} });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const steps = effectiveSteps(job);
      const assumesRole = steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      const comments = job.with?.["comment-on-pr"] === true;
      expect({ file, name, idToken: job.permissions?.["id-token"] }).toEqual({ file, name, idToken: assumesRole ? "write" : undefined });
      expect({ file, name, pullRequests: job.permissions?.["pull-requests"] }).toEqual({ file, name, pullRequests: comments ? "write" : undefined });
    }
  }
});

test("pull requests run the unit tests, then preview every stack with a per-object diff commented on the PR", () => {
  const preview = workflows["preview.yml"];
  expect(preview.on.pull_request.branches).toEqual(["main"]);
  expect(preview.jobs.test.steps?.map((s) => s.run).filter(Boolean)).toEqual(["npm ci", "npm run test:unit"]);
  const job = preview.jobs.preview;
  expect(needsOf(job)).toEqual(["test"]);
  expect([...(job.strategy?.matrix.stack as string[])].sort()).toEqual(STACKS);
  expect(job.uses).toBe("./.github/workflows/stack-preview.yml");
  expect(job.with).toEqual({ stack: "${{ matrix.stack }}", "comment-on-pr": true });
  expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
});

test("a stack preview installs the program and the policy pack, then runs pulumi preview against the S3 backend", () => {
  const workflow = workflows["stack-preview.yml"];
  expect(Object.keys(workflow.on.workflow_call.inputs).sort()).toEqual(["comment-on-pr", "detect-drift", "stack"]);
  const job = workflow.jobs.preview;
  expect(job.environment).toBeUndefined(); // a preview never waits for an approval
  const steps = job.steps ?? [];
  expect(steps.map((s) => s.uses?.split("@")[0] ?? `${s.run} in ${s["working-directory"] ?? "."}`)).toEqual([
    "actions/checkout",
    "actions/setup-node",
    "npm ci in .",
    "npm ci in policy",
    "aws-actions/configure-aws-credentials",
    "pulumi/actions",
  ]);
  expect(steps[4].with?.["role-to-assume"]).toBe("${{ fromJSON(vars.AWS_PREVIEW_ROLE_ARNS)[inputs.stack] }}");
  expect(pulumiStep("stack-preview.yml").with).toMatchObject({
    command: "preview",
    "stack-name": "${{ inputs.stack }}",
    "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
    diff: true,
    policyPacks: "policy",
    policyPackConfigs: "policy/config/${{ inputs.stack }}.json",
    "comment-on-pr": "${{ inputs.comment-on-pr }}",
    refresh: "${{ inputs.detect-drift }}",
    "expect-no-changes": "${{ inputs.detect-drift }}",
  });
});

test("a stack deploys in the GitHub environment of its name, one update at a time, with the policy pack", () => {
  const job = workflows["stack-up.yml"].jobs.up;
  expect(workflows["stack-up.yml"].on.workflow_call.inputs.stack).toMatchObject({ type: "string", required: true });
  expect(job.environment).toBe("${{ inputs.stack }}");
  expect(job.concurrency).toEqual({ group: "pulumi-up-${{ inputs.stack }}", "cancel-in-progress": false });
  expect(stepsUsing(job, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
  expect((job.steps ?? []).some((s) => s.run === "npm ci" && s["working-directory"] === "policy")).toBe(true);
  const pulumi = stepsUsing(job, "pulumi/actions").find((s) => s.with?.command === "up")?.with ?? {};
  expect(pulumi).toMatchObject({
    command: "up",
    "stack-name": "${{ inputs.stack }}",
    "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
    policyPacks: "policy",
    policyPackConfigs: "policy/config/${{ inputs.stack }}.json",
  });
  expect(pulumi.message).toContain("${{ github.sha }}");
  expect(pulumi).not.toHaveProperty("upsert"); // stacks are created once, with their KMS secrets provider
});

test("a deploy that changes the Kubernetes version or replaces stateful resources takes a Velero backup first and names it", () => {
  const steps = workflows["stack-up.yml"].jobs.up.steps ?? [];
  const backup = steps.findIndex((s) => s.id === "backup");
  const up = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions") && s.with?.command === "up");
  expect(backup).toBeGreaterThan(-1);
  expect(backup).toBeLessThan(up);
  expect(steps[backup].run).toMatch(/pulumi preview --stack "\$\{\{ inputs.stack \}\}" --json/);
  expect(steps[backup].run).toMatch(/if npm run --silent risky-change -- .*; then\s+npm run --silent backup -- "\$\{\{ inputs.stack \}\}" --wait/);
  expect(steps[up].with?.message).toContain("steps.backup.outputs.name");
});

test("merges to main deploy admin, then e2e, stage and prod, each behind its environment gate", () => {
  const deploy = workflows["deploy.yml"];
  expect(deploy.on).toEqual({ push: { branches: ["main"] } });
  expect(runOrder(deploy)).toEqual(["test", "admin", "e2e", "stage", "prod"]);
  expect(Object.fromEntries(Object.entries(deploy.jobs).map(([name, job]) => [name, needsOf(job)]))).toEqual({
    test: [],
    admin: ["test"],
    e2e: ["admin"],
    stage: ["e2e"],
    prod: ["stage"],
  });
  for (const stack of STACKS) {
    expect(deploy.jobs[stack].uses).toBe("./.github/workflows/stack-up.yml");
    expect(deploy.jobs[stack].with).toEqual({ stack });
  }
});

test("a manual release deploys one chosen stack through the same tests and gate", () => {
  const release = workflows["release.yml"];
  const input = release.on.workflow_dispatch.inputs.stack;
  expect(input).toMatchObject({ type: "choice", required: true });
  expect([...input.options].sort()).toEqual(STACKS);
  expect(needsOf(release.jobs.release)).toEqual(["test"]);
  expect(release.jobs.release.uses).toBe("./.github/workflows/stack-up.yml");
  expect(release.jobs.release.with).toEqual({ stack: "${{ inputs.stack }}" });
});

test("drift detection runs nightly on every stack, refreshes, expects no changes and reports failures in an issue", () => {
  const drift = workflows["drift.yml"];
  expect(drift.on.schedule).toHaveLength(1);
  expect(drift.on.schedule[0].cron.split(" ")).toHaveLength(5);
  expect(drift.on).toHaveProperty("workflow_dispatch");
  const job = drift.jobs.drift;
  expect(job.strategy?.["fail-fast"]).toBe(false); // one stack's drift must not hide another's
  expect([...(job.strategy?.matrix.stack as string[])].sort()).toEqual(STACKS);
  expect(job.uses).toBe("./.github/workflows/stack-preview.yml");
  expect(job.with).toEqual({ stack: "${{ matrix.stack }}", "detect-drift": true });
  const report = drift.jobs.report;
  expect(needsOf(report)).toEqual(["drift"]);
  expect(report.if).toBe("failure()");
  expect(report.permissions).toEqual({ issues: "write" });
  expect(report.steps?.[0].run).toMatch(/gh issue create/);
});

test("CI uses the Node major of the project, the CLI of its SDK, and a policy pack and per-stack config that exist", () => {
  const engines = packageJson.engines.node as string;
  for (const [file, workflow] of Object.entries(workflows)) {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of stepsUsing(job, "actions/setup-node")) expect({ file, node: step.with?.["node-version"] }).toEqual({ file, node: 22 });
      for (const step of stepsUsing(job, "pulumi/actions")) {
        expect({ file, cli: step.with?.["pulumi-version"] }).toEqual({ file, cli: packageJson.dependencies["@pulumi/pulumi"] });
      }
    }
  }
  expect(engines).toBe(">=22");
  for (const file of ["PulumiPolicy.yaml", "package-lock.json", ...STACKS.map((stack) => `config/${stack}.json`)]) {
    expect({ file, exists: fs.existsSync(path.join(ROOT, "policy", file)) }).toEqual({ file, exists: true });
  }
});
