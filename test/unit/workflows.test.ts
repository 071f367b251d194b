/**
 * The delivery workflows, read as YAML: where each job runs, as which role, in which order, behind which gate.
 * actionlint checks them as GitHub would (test/e2e/workflows-lint.test.ts); this file checks what they mean.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PLATFORM_SCALE_SET } from "../../components/ci-runners/runners";

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const SETUP_ACTION = path.join(ROOT, ".github", "actions", "setup-delivery", "action.yml");
const STACKS = ["admin", "e2e", "prod", "stage"];

type Step = {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, any>;
  "working-directory"?: string;
  env?: Record<string, string>;
};
type Job = {
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  environment?: string;
  "runs-on"?: string;
  strategy?: { "fail-fast"?: boolean; matrix: string | Record<string, unknown[]> };
  steps?: Step[];
  if?: string;
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
};
type Workflow = { on: Record<string, any>; permissions?: Record<string, string>; jobs: Record<string, Job> };

const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
const texts: Record<string, string> = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(WORKFLOWS, f), "utf8")]));
const workflows: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parse(texts[f])]));
const setupAction = parse(fs.readFileSync(SETUP_ACTION, "utf8")) as { runs: { steps: Step[] } };
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

const needsOf = (job: Job) => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));
const allJobs = () => Object.entries(workflows).flatMap(([file, w]) => Object.entries(w.jobs).map(([name, job]) => ({ file, name, job })));
const allSteps = (): { file: string; step: Step }[] => [
  ...allJobs().flatMap(({ file, job }) => (job.steps ?? []).map((step) => ({ file, step }))),
  ...setupAction.runs.steps.map((step) => ({ file: "setup-delivery", step })),
];
const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? "").join("\n");
const touchesStacks = (job: Job) => (job.steps ?? []).some((s) => s.uses === "./.github/actions/setup-delivery");
const roleStep = (job: Job) => (job.steps ?? []).find((s) => s.id === "aws");
/** The step that lists the stacks as job matrices (scripts/delivery/stacks.ts). */
const LIST_STACKS = 'npm run --silent delivery -- stacks >> "$GITHUB_OUTPUT"';
const listsStacks = (job: Job) => (job.steps ?? []).some((s) => s.id === "stacks" && s.run === LIST_STACKS);
/** A matrix job: each stack with the environment it deploys as (a tenancy shard: its environment). */
const matrixJob = (matrix: string) => ({
  strategy: { "fail-fast": false, matrix },
  with: { stack: "${{ matrix.stack }}", environment: "${{ matrix.environment }}" },
});

test("the delivery workflows exist and parse", () => {
  expect(files.sort()).toEqual(["deploy.yml", "drift.yml", "preview.yml", "release.yml", "stack-preview.yml", "stack-up.yml"]);
  for (const file of files) expect(Object.keys(workflows[file].jobs).length).toBeGreaterThan(0);
});

test("every action is pinned to a commit, with the release it is in a comment; AWS is reached through OIDC only", () => {
  const pinned = /^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/;
  const lines = [...Object.values(texts), fs.readFileSync(SETUP_ACTION, "utf8")].flatMap((text) => text.split("\n"));
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
    "stack-up.yml:up",
  ]);
  for (const { job } of jobs) expect(job["runs-on"]).toBe(PLATFORM_SCALE_SET);
  // And nothing else runs there: unit tests and issue reports need no network path to a cluster.
  for (const { job } of allJobs().filter(({ job }) => !touchesStacks(job) && job.steps)) expect(job["runs-on"]).toBe("ubuntu-latest");
});

test("pull requests run the unit tests; previews only for branches of this repository, forks get a notice", () => {
  const preview = workflows["preview.yml"];
  expect(preview.on.pull_request.branches).toEqual(["main"]);
  expect(preview.jobs.test.steps?.map((s) => s.run).filter(Boolean)).toEqual(["npm ci", "npm run test:unit", LIST_STACKS]);
  const sameRepository = "github.event.pull_request.head.repo.full_name == github.repository";
  expect(preview.jobs.preview).toMatchObject({
    if: sameRepository,
    uses: "./.github/workflows/stack-preview.yml",
    ...matrixJob("${{ fromJSON(needs.test.outputs.stacks) }}"),
  });
  expect(needsOf(preview.jobs.preview)).toEqual(["test"]);
  expect(preview.jobs.test.outputs).toEqual({ stacks: "${{ steps.stacks.outputs.stacks }}" });
  expect(preview.jobs.preview.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
  expect(preview.jobs.fork.if).toBe(sameRepository.replace("==", "!="));
  expect(runs(preview.jobs.fork)).toMatch(/::notice .*fork/);
});

test("a pull request's preview runs as the stack's preview role, in the environment whose reviewers let it run", () => {
  const job = workflows["stack-preview.yml"].jobs.preview;
  expect(job.environment).toBe("preview-${{ inputs.environment || inputs.stack }}");
  expect(roleStep(job)?.run).toBe('npm run --silent delivery -- aws "$STACK" preview >> "$GITHUB_OUTPUT"');
  expect((job.steps ?? []).find((s) => s.uses?.startsWith("pulumi/actions@"))?.with).toMatchObject({
    command: "preview",
    "stack-name": "${{ inputs.stack }}",
    "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
    diff: true,
    policyPacks: "policy",
    policyPackConfigs: "policy/config/${{ inputs.environment || inputs.stack }}.json",
    "comment-on-pr": true,
  });
});

describe("a deploy: plan as the preview role, approve the plan, apply exactly it as the deploy role", () => {
  const { plan, up } = workflows["stack-up.yml"].jobs;
  const stepIndex = (job: Job, test: (s: Step) => boolean) => (job.steps ?? []).findIndex(test);

  test("the plan job needs no approval and cannot change anything", () => {
    expect(plan.environment).toBeUndefined();
    expect(roleStep(plan)?.run).toMatch(/delivery -- aws "\$STACK" preview/);
    const save = (plan.steps ?? []).find((s) => s.run?.includes("deploy-plan -- save"));
    expect(save?.run).toContain('cat "$RUNNER_TEMP/plan/summary.md" >> "$GITHUB_STEP_SUMMARY"');
    expect((plan.steps ?? []).find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.with).toMatchObject({
      name: "plan-${{ inputs.stack }}",
    });
  });

  test("a shard whose plan changes nothing skips its update (and its approval); an environment's stack always updates", () => {
    const save = (plan.steps ?? []).find((s) => s.run?.includes("deploy-plan -- save"));
    expect(save?.id).toBe("save");
    // Assigned on a line of its own: a failing command there fails the step, where inside echo's arguments it would not.
    expect(save?.run).toMatch(/^changes=\$\(npm run --silent deploy-plan -- changes "\$RUNNER_TEMP\/plan"\)\n/m);
    expect(save?.run).toContain('echo "changes=$changes" >> "$GITHUB_OUTPUT"');
    expect(plan.outputs?.changes).toBe("${{ steps.save.outputs.changes }}");
    expect(up.if).toBe("needs.plan.outputs.changes == 'true' || inputs.environment == '' || inputs.environment == inputs.stack");
  });

  test("prod takes only a commit that stage has run, checked before its plan", () => {
    const check = stepIndex(plan, (s) => s.run?.includes("require-deployed") ?? false);
    expect(plan.steps?.[check]).toMatchObject({
      if: "(inputs.environment || inputs.stack) == 'prod'",
      run: 'npm run --silent delivery -- require-deployed stage "$GITHUB_SHA" "$STACK"',
    });
    expect(check).toBeLessThan(stepIndex(plan, (s) => s.run?.includes("deploy-plan -- save") ?? false));
  });

  test("the update runs behind the stack's environment gate, as the deploy role, and applies the saved plan", () => {
    expect(needsOf(up)).toEqual(["plan"]);
    expect(up.environment).toBe("${{ inputs.environment || inputs.stack }}");
    expect(roleStep(up)?.run).toMatch(/delivery -- aws "\$STACK" deploy/);
    const apply = (up.steps ?? []).find((s) => s.run?.includes("deploy-plan -- apply"));
    expect(apply?.run).toBe('npm run --silent deploy-plan -- apply "$STACK" "$RUNNER_TEMP/plan" "$MESSAGE"');
    expect(apply?.env?.MESSAGE).toContain("${{ github.sha }}");
    expect(apply?.env?.MESSAGE).toContain("steps.backup.outputs.name");
    // The only update is the plan's.
    expect([...(plan.steps ?? []), ...(up.steps ?? [])].filter((s) => s.with?.command === "up" || /pulumi up/.test(s.run ?? ""))).toEqual(
      [],
    );
  });

  test("a version change or a stateful replacement is backed up first, as the plan decided", () => {
    expect((plan.steps ?? []).find((s) => s.id === "risk")?.run).toMatch(
      /if npm run --silent risky-change -- "\$RUNNER_TEMP\/plan\/preview.json"; then\s+echo "backup=true"/,
    );
    expect(plan.outputs?.backup).toBe("${{ steps.risk.outputs.backup }}");
    const backup = stepIndex(up, (s) => s.id === "backup");
    expect(up.steps?.[backup]).toMatchObject({ if: "needs.plan.outputs.backup == 'true'" });
    expect(backup).toBeLessThan(stepIndex(up, (s) => s.run?.includes("deploy-plan -- apply") ?? false));
  });

  test("one update per stack at a time; plans and drift checks never wait in (and so never cancel from) its group", () => {
    // GitHub keeps one pending job per concurrency group: a waiting drift check or plan there could cancel a waiting update.
    expect(up.concurrency).toEqual({ group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
    expect(plan.concurrency).toBeUndefined();
    expect(workflows["drift.yml"].jobs.check.concurrency).toEqual({ group: "drift-${{ matrix.stack }}", "cancel-in-progress": false });
    // Instead, a drift check skips a stack whose state an update holds locked.
    expect(runs(workflows["drift.yml"].jobs.check)).toMatch(
      /aws s3 ls "s3:\/\/\$bucket\/\.pulumi\/locks\/organization\/k8s-platform\/\$STACK\/" \| grep -q '\\\.json\$'; then\s+echo "deploying"/,
    );
    expect(runs(workflows["drift.yml"].jobs.report)).toContain('if [ "$status" = "deploying" ]; then exit 0; fi');
  });

  test("the plan outlives a weekend's wait for approval", () => {
    expect((plan.steps ?? []).find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.with?.["retention-days"]).toBe(7);
  });
});

test("merges to main deploy admin, e2e, stage and prod, each followed by its tenancy shards; a release deploys one environment the same way", () => {
  const deploy = workflows["deploy.yml"];
  expect(deploy.on).toEqual({ push: { branches: ["main"] } });
  expect(Object.fromEntries(Object.entries(deploy.jobs).map(([name, job]) => [name, needsOf(job)]))).toEqual({
    test: [],
    admin: ["test"],
    "admin-shards": ["test", "admin"],
    e2e: ["test", "admin", "admin-shards"],
    "e2e-shards": ["test", "e2e"],
    stage: ["test", "e2e", "e2e-shards"],
    "stage-shards": ["test", "stage"],
    prod: ["test", "stage", "stage-shards"],
    "prod-shards": ["test", "prod"],
  });
  expect(listsStacks(deploy.jobs.test)).toBe(true);
  ["admin", "e2e", "stage", "prod"].forEach((stack, i, order) => {
    expect(deploy.jobs[stack]).toMatchObject({ uses: "./.github/workflows/stack-up.yml", with: { stack } });
    // The next environment goes once this one and its shards have (a job with no shards to deploy is skipped).
    const previous = order[i - 1];
    if (previous) {
      expect(deploy.jobs[stack].if).toBe(
        `\${{ !cancelled() && needs.${previous}.result == 'success' && (needs.${previous}-shards.result == 'success' || needs.${previous}-shards.result == 'skipped') }}`,
      );
    }
    // Its own condition, not GitHub's implicit success(), which a skipped shards job earlier in the chain would fail.
    expect(deploy.jobs[`${stack}-shards`]).toMatchObject({
      if: `\${{ !cancelled() && needs.${stack}.result == 'success' && needs.test.outputs.${stack}-shards != '0' }}`,
      uses: "./.github/workflows/stack-up.yml",
      ...matrixJob(`\${{ fromJSON(needs.test.outputs.${stack}) }}`),
    });
    expect(deploy.jobs.test.outputs?.[stack]).toBe(`\${{ steps.stacks.outputs.${stack} }}`);
  });
  const release = workflows["release.yml"];
  expect([...release.on.workflow_dispatch.inputs.stack.options].sort()).toEqual(STACKS);
  expect(release.jobs.release).toMatchObject({
    needs: "test",
    uses: "./.github/workflows/stack-up.yml",
    with: { stack: "${{ inputs.stack }}" },
  });
  expect(release.jobs.shards).toMatchObject({
    if: "needs.test.outputs.shards != '0'",
    ...matrixJob("${{ fromJSON(needs.test.outputs.matrix) }}"),
  });
  expect(needsOf(release.jobs.shards)).toEqual(["test", "release"]);
  expect(listsStacks(release.jobs.test)).toBe(true);
});

test("drift: each stack refreshed against its deployed commit; one labelled issue per stack, closed when clean", () => {
  const { check, report } = workflows["drift.yml"].jobs;
  expect(workflows["drift.yml"].on.schedule[0].cron.split(" ")).toHaveLength(5);
  for (const job of [check, report])
    expect(job.strategy).toEqual({ "fail-fast": false, matrix: "${{ fromJSON(needs.stacks.outputs.stacks) }}" });
  expect(listsStacks(workflows["drift.yml"].jobs.stacks)).toBe(true);
  // A tenancy shard is checked with its environment's policy config.
  expect(check.env?.ENVIRONMENT).toBe("${{ matrix.environment }}");
  expect(runs(check)).toContain('--policy-pack-config "policy/config/$ENVIRONMENT.json"');
  expect(roleStep(check)?.run).toMatch(/delivery -- aws "\$STACK" preview/);
  expect(runs(check)).toMatch(
    /commit=\$\(npm run --silent delivery -- deployed-commit "\$STACK"\)\s+echo "commit=\$commit" >> "\$GITHUB_OUTPUT"\s+git checkout --detach "\$commit"/,
  );
  expect(runs(check)).toMatch(/pulumi preview --stack "\$STACK" --refresh --diff --expect-no-changes/);
  expect(runs(check)).toContain(
    "--exclude '**kubernetes:core/v1:Secret::**' --exclude '**aws:secretsmanager/secretVersion:SecretVersion::**'",
  );
  expect(report).toMatchObject({
    needs: ["stacks", "check"],
    if: "always() && needs.stacks.result == 'success'",
    permissions: { issues: "write" },
  });
  const script = runs(report);
  expect(script).toContain('label="drift:$STACK"');
  expect(script).toMatch(/gh issue close "\$open"/);
  expect(script).toMatch(/gh issue comment "\$open" --body-file body.md/);
  expect(script).toMatch(/gh issue create --title "Drift on \$STACK" --label "\$label" --body-file body.md/);
});

test("CI uses the Node major of the project and the CLI of its SDK", () => {
  for (const { file, step } of allSteps()) {
    if (step.uses?.startsWith("actions/setup-node@")) expect({ file, node: step.with?.["node-version"] }).toEqual({ file, node: 22 });
    if (step.uses?.startsWith("pulumi/actions@"))
      expect({ file, cli: step.with?.["pulumi-version"] }).toEqual({ file, cli: packageJson.dependencies["@pulumi/pulumi"] });
  }
  expect(packageJson.engines.node).toBe(">=22");
  for (const file of ["PulumiPolicy.yaml", "package-lock.json", ...STACKS.map((stack) => `config/${stack}.json`)]) {
    expect({ file, exists: fs.existsSync(path.join(ROOT, "policy", file)) }).toEqual({ file, exists: true });
  }
});

test("the platform runners get the AWS CLI, which the clusters' kubeconfig runs for its tokens", () => {
  const install = setupAction.runs.steps.find((s) => s.name === "Install the AWS CLI");
  expect(install?.env?.AWS_CLI_VERSION).toMatch(/^2\.\d+\.\d+$/);
  expect(install?.run).toContain(
    '"$RUNNER_TEMP/awscli-installer/aws/install" --install-dir "$RUNNER_TEMP/aws-cli" --bin-dir "$RUNNER_TEMP/aws-bin"',
  );
  expect(install?.run).toContain('echo "$RUNNER_TEMP/aws-bin" >> "$GITHUB_PATH"');
  const kubeconfig = fs.readFileSync(path.join(ROOT, "components", "cluster", "kubeconfig.ts"), "utf8");
  expect(kubeconfig).toContain('command: "aws"');
});
