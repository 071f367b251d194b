/**
 * The delivery workflows, read as YAML: where each job runs, as which role, in which order, behind which gate.
 * actionlint checks them as GitHub would (test/e2e/workflows-lint.test.ts); this file checks what they mean.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { EnvironmentAccount } from "../../bootstrap/environments";
import { previewRoleTrust } from "../../bootstrap/trust-policies";
import { PLATFORM_SCALE_SET } from "../../components/ci-runners/runners";
import { requiredTools } from "../../scripts/verify/tools";

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const ACTIONS = path.join(ROOT, ".github", "actions");
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
/** The repository's composite actions, by directory name (`./.github/actions/<name>`). */
const actionNames = fs.readdirSync(ACTIONS).filter((d) => fs.existsSync(path.join(ACTIONS, d, "action.yml")));
const actionTexts: Record<string, string> = Object.fromEntries(
  actionNames.map((name) => [name, fs.readFileSync(path.join(ACTIONS, name, "action.yml"), "utf8")]),
);
const actions: Record<string, { runs: { steps: Step[] }; outputs?: Record<string, { value: string }> }> = Object.fromEntries(
  actionNames.map((name) => [name, parse(actionTexts[name])]),
);
const setupAction = actions["setup-delivery"];
const planAction = actions["plan-stack"];
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

const needsOf = (job: Job) => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));
const allJobs = () => Object.entries(workflows).flatMap(([file, w]) => Object.entries(w.jobs).map(([name, job]) => ({ file, name, job })));
const allSteps = (): { file: string; step: Step }[] => [
  ...allJobs().flatMap(({ file, job }) => (job.steps ?? []).map((step) => ({ file, step }))),
  ...actionNames.flatMap((name) => actions[name].runs.steps.map((step) => ({ file: name, step }))),
];
const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? "").join("\n");
/** A job's steps with those of the repository's composite actions it uses in their place. */
const expandedSteps = (steps: Step[]): Step[] =>
  steps.flatMap((s) => (s.uses?.startsWith("./.github/actions/") ? expandedSteps(actions[s.uses.split("/").pop()!].runs.steps) : [s]));
const roleStep = (job: Job) => expandedSteps(job.steps ?? []).find((s) => s.id === "aws");
/** A job that assumes one of a stack's roles (its `aws` step reads which). */
const touchesStacks = (job: Job) => roleStep(job) !== undefined;
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

describe("pull requests run npm run verify for every stack, forks included, and comment its tables", () => {
  const preview = workflows["preview.yml"];
  const { verify } = preview.jobs;
  const tools = preview.jobs["verify-tools"];
  const comment = preview.jobs["verify-comment"];

  test("on GitHub's runners, per stack, with no cloud identity and no condition on where the pull request comes from", () => {
    expect(verify).toMatchObject({
      needs: ["test", "verify-tools"],
      "runs-on": "ubuntu-latest",
      permissions: { contents: "read" },
      strategy: { "fail-fast": false, matrix: "${{ fromJSON(needs.test.outputs.stacks) }}" },
    });
    expect(verify.permissions).toEqual({ contents: "read" });
    expect(verify.if).toBeUndefined();
    expect(tools.if).toBeUndefined();
    expect(roleStep(verify)).toBeUndefined();
    const run = (verify.steps ?? []).find((s) => s.run?.includes("npm run --silent verify"))?.run;
    expect(run).toBe(
      'npm run --silent verify -- "$STACK" --report "$RUNNER_TEMP/verify/verify.json" --markdown "$RUNNER_TEMP/verify/verify.md"',
    );
    expect(verify.env).toMatchObject({ STACK: "${{ matrix.stack }}", TOOLCHAIN_BIN: "${{ github.workspace }}/.toolchain/bin" });
  });

  test("with the programs verify needs, built from the toolchain's pins and restored from the cache they were built into", () => {
    const build = actions["verify-tools"].runs.steps.find((s) => s.run === "bash scripts/toolchain.sh");
    expect(build?.env?.TOOLCHAIN_TOOLS.split(" ").sort()).toEqual([...requiredTools("throwaway")].sort());
    const cache = actions["verify-tools"].runs.steps.find((s) => s.uses?.startsWith("actions/cache@"));
    const restore = (verify.steps ?? []).find((s) => s.uses?.startsWith("actions/cache/restore@"));
    expect(restore?.with).toEqual({
      path: cache?.with?.path,
      key: "${{ needs.verify-tools.outputs.cache-key }}",
      "fail-on-cache-miss": true,
    });
    expect(tools.outputs).toEqual({ "cache-key": "${{ steps.tools.outputs.cache-key }}" });
    // The key covers every input of the build: the three modules' pins and the build script.
    const key = actions["verify-tools"].runs.steps.find((s) => s.id === "key")?.env?.PINS;
    for (const dir of ["etcd", "kubernetes", "helm"])
      for (const file of ["go.mod", "go.sum"]) expect(key).toContain(`'toolchain/${dir}/${file}'`);
    expect(key).toContain("'scripts/toolchain.sh'");
    // main keeps the cache warm for every pull request.
    expect(workflows["deploy.yml"].jobs["verify-tools"].steps?.map((s) => s.uses)).toContain("./.github/actions/verify-tools");
  });

  test("one comment of every stack's table, edited on every push; a fork's tables stay on the run's summary page", () => {
    expect(comment).toMatchObject({
      needs: ["test", "verify"],
      if: "always() && needs.test.result == 'success' && github.event.pull_request.head.repo.full_name == github.repository",
      permissions: { "pull-requests": "write" },
    });
    const script = runs(comment);
    expect(script).toContain('cat "verify/verify-$stack/verify.md"');
    expect(script).toMatch(/select\(.user.login == \\"github-actions\[bot\]\\" and \(.body \| startswith\(\\"\$marker\\"\)\)\)/);
    expect(script).toContain('gh api --method PATCH "repos/$GH_REPO/issues/comments/$id" -F body=@body.md');
    expect(runs(verify)).toContain('cat "$RUNNER_TEMP/verify/verify.md" >> "$GITHUB_STEP_SUMMARY"');
  });
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
  const planTag = workflows["stack-up.yml"].jobs["plan-tag"];
  const stepIndex = (steps: Step[] | undefined, test: (s: Step) => boolean) => (steps ?? []).findIndex(test);
  const planSteps = planAction.runs.steps;
  const planStep = (test: (s: Step) => boolean) => planSteps.find(test);

  test("a branch plans as its ref, a tag's release only in preview-<environment>; both plan alike, as the preview role", () => {
    expect(plan).toMatchObject({ if: "github.ref_type != 'tag'" });
    expect(plan.environment).toBeUndefined();
    expect(planTag).toMatchObject({ if: "github.ref_type == 'tag'", environment: "preview-${{ inputs.environment || inputs.stack }}" });
    for (const job of [plan, planTag]) {
      expect(job.steps?.map((step) => step.uses)).toEqual([
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
        "./.github/actions/plan-stack",
      ]);
      expect(job.steps?.[1]).toMatchObject({
        id: "plan",
        with: { stack: "${{ inputs.stack }}", environment: "${{ inputs.environment }}" },
      });
      expect(job.outputs).toEqual({ backup: "${{ steps.plan.outputs.backup }}", changes: "${{ steps.plan.outputs.changes }}" });
      expect(roleStep(job)?.run).toMatch(/delivery -- aws "\$STACK" preview/);
    }
    expect(planAction.outputs).toEqual({
      backup: expect.objectContaining({ value: "${{ steps.risk.outputs.backup }}" }),
      changes: expect.objectContaining({ value: "${{ steps.save.outputs.changes }}" }),
    });
    const save = planStep((s) => s.run?.includes("deploy-plan -- save") ?? false);
    expect(save?.run).toContain('cat "$RUNNER_TEMP/plan/summary.md" >> "$GITHUB_STEP_SUMMARY"');
    expect(planStep((s) => s.uses?.startsWith("actions/upload-artifact@") ?? false)?.with).toMatchObject({
      name: "plan-${{ inputs.stack }}",
    });
  });

  test("the identity each plan job carries is one the stack's preview role trusts, and no tag's is", () => {
    const trust = previewRoleTrust({ stack: "prod", partition: "aws", accountId: "111111111111" } as EnvironmentAccount, "o/r", "arn");
    const subjects: string[] = (trust.Statement[0].Condition as any).StringEquals["token.actions.githubusercontent.com:sub"];
    // A merge's plan (deploy.yml on main) and drift carry the branch's ref; a tag's release plan, its environment's.
    expect(subjects).toContain("repo:o/r:ref:refs/heads/main");
    expect(subjects).toContain(`repo:o/r:environment:${planTag.environment!.replace("${{ inputs.environment || inputs.stack }}", "prod")}`);
    expect(subjects.filter((subject) => subject.includes(":ref:refs/tags/"))).toEqual([]);
  });

  test("a shard whose plan changes nothing skips its update (and its approval); an environment's stack always updates", () => {
    const save = planStep((s) => s.run?.includes("deploy-plan -- save") ?? false);
    expect(save?.id).toBe("save");
    // Assigned on a line of its own: a failing command there fails the step, where inside echo's arguments it would not.
    expect(save?.run).toMatch(/^changes=\$\(npm run --silent deploy-plan -- changes "\$RUNNER_TEMP\/plan"\)\n/m);
    expect(save?.run).toContain('echo "changes=$changes" >> "$GITHUB_OUTPUT"');
    expect(up.if).toBe(
      "!cancelled() && (needs.plan.result == 'success' || needs.plan-tag.result == 'success') && " +
        "(needs.plan.outputs.changes == 'true' || needs.plan-tag.outputs.changes == 'true' || " +
        "inputs.environment == '' || inputs.environment == inputs.stack)",
    );
  });

  test("prod takes only a commit that stage has run, checked before its plan", () => {
    const check = stepIndex(planSteps, (s) => s.run?.includes("require-deployed") ?? false);
    expect(planSteps[check]).toMatchObject({
      if: "(inputs.environment || inputs.stack) == 'prod'",
      run: 'npm run --silent delivery -- require-deployed stage "$GITHUB_SHA" "$STACK"',
    });
    expect(check).toBeLessThan(stepIndex(planSteps, (s) => s.run?.includes("deploy-plan -- save") ?? false));
  });

  test("the update runs behind the stack's environment gate, as the deploy role, and applies the saved plan", () => {
    expect(needsOf(up)).toEqual(["plan", "plan-tag"]);
    expect(up.environment).toBe("${{ inputs.environment || inputs.stack }}");
    expect(roleStep(up)?.run).toMatch(/delivery -- aws "\$STACK" deploy/);
    const apply = (up.steps ?? []).find((s) => s.run?.includes("deploy-plan -- apply"));
    expect(apply?.run).toBe('npm run --silent deploy-plan -- apply "$STACK" "$RUNNER_TEMP/plan" "$MESSAGE"');
    expect(apply?.env?.MESSAGE).toContain("${{ github.sha }}");
    expect(apply?.env?.MESSAGE).toContain("steps.backup.outputs.name");
    // The only update is the plan's.
    expect([...planSteps, ...(up.steps ?? [])].filter((s) => s.with?.command === "up" || /pulumi up/.test(s.run ?? ""))).toEqual([]);
  });

  test("a version change or a stateful replacement is backed up first, as the plan decided", () => {
    expect(planStep((s) => s.id === "risk")?.run).toMatch(
      /npm run --silent risky-change -- "\$RUNNER_TEMP\/plan\/preview.json"\s+status=\$\?[\s\S]*3\) echo "backup=true"[\s\S]*0\) echo "backup=false"[\s\S]*\*\) echo "risky-change exited with \$status/,
    );
    const backup = stepIndex(up.steps, (s) => s.id === "backup");
    expect(up.steps?.[backup]).toMatchObject({ if: "needs.plan.outputs.backup == 'true' || needs.plan-tag.outputs.backup == 'true'" });
    expect(backup).toBeLessThan(stepIndex(up.steps, (s) => s.run?.includes("deploy-plan -- apply") ?? false));
  });

  test("one update per stack at a time; plans and drift checks never wait in (and so never cancel from) its group", () => {
    // GitHub keeps one pending job per concurrency group: a waiting drift check or plan there could cancel a waiting update.
    expect(up.concurrency).toEqual({ group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
    expect(plan.concurrency).toBeUndefined();
    expect(planTag.concurrency).toBeUndefined();
    expect(workflows["drift.yml"].jobs.check.concurrency).toEqual({ group: "drift-${{ matrix.stack }}", "cancel-in-progress": false });
    // Instead, a drift check skips a stack whose state an update holds locked.
    expect(runs(workflows["drift.yml"].jobs.check)).toMatch(
      /aws s3 ls "s3:\/\/\$bucket\/\.pulumi\/locks\/organization\/k8s-platform\/\$STACK\/" \| grep -q '\\\.json\$'; then\s+echo "deploying"/,
    );
    expect(runs(workflows["drift.yml"].jobs.report)).toContain('if [ "$status" = "deploying" ]; then exit 0; fi');
  });

  test("the plan outlives a weekend's wait for approval", () => {
    expect(planStep((s) => s.uses?.startsWith("actions/upload-artifact@") ?? false)?.with?.["retention-days"]).toBe(7);
  });
});

test("merges to main deploy admin, e2e, stage and prod, each followed by its tenancy shards; a release deploys one environment the same way", () => {
  const deploy = workflows["deploy.yml"];
  expect(deploy.on).toEqual({ push: { branches: ["main"] } });
  expect(Object.fromEntries(Object.entries(deploy.jobs).map(([name, job]) => [name, needsOf(job)]))).toEqual({
    test: [],
    "verify-tools": [],
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
  // e2e's environment admits main only; a tag for e2e is refused before any plan waits for approval.
  expect(release.jobs.test.steps?.[0]).toMatchObject({ if: "github.ref_type == 'tag' && inputs.stack == 'e2e'" });
  expect(release.jobs.test.steps?.[0].run).toMatch(/::error::.*\nexit 1/);
  expect(listsStacks(release.jobs.test)).toBe(true);
});

test("drift: each stack refreshed against its deployed commit; one labelled issue per stack, closed when clean", () => {
  const { check, report } = workflows["drift.yml"].jobs;
  expect(workflows["drift.yml"].on.schedule[0].cron.split(" ")).toHaveLength(5);
  for (const job of [check, report])
    expect(job.strategy).toEqual({ "fail-fast": false, matrix: "${{ fromJSON(needs.stacks.outputs.stacks) }}" });
  expect(listsStacks(workflows["drift.yml"].jobs.stacks)).toBe(true);
  expect(roleStep(check)?.run).toMatch(/delivery -- aws "\$STACK" preview/);
  // The deployed commit's program, checked by this commit's drift command (which leaves out what holds secrets, and
  // takes a shard's environment's policy config: policyArgs, test/unit/deploy-plan.test.ts).
  expect(runs(check)).toMatch(
    /commit=\$\(npm run --silent delivery -- deployed-commit "\$STACK"\)\s+echo "commit=\$commit" >> "\$GITHUB_OUTPUT"\s+git worktree add --detach "\$RUNNER_TEMP\/deployed" "\$commit"/,
  );
  expect(runs(check)).toContain('npm run --silent drift -- "$STACK" --program-dir "$RUNNER_TEMP/deployed"');
  expect(runs(check)).not.toMatch(/pulumi preview/);
  expect(report).toMatchObject({
    needs: ["stacks", "check"],
    if: "always() && needs.stacks.result == 'success'",
    permissions: { issues: "write" },
  });
  const script = runs(report);
  expect(script).toContain('label="drift:$STACK"');
  expect(script).toContain('if [ "$status" = "3" ]; then outcome="found changes made outside Pulumi"; else outcome="could not run"; fi');
  expect(script).toMatch(/gh issue close "\$open"/);
  expect(script).toMatch(/gh issue comment "\$open" --body-file body.md/);
  expect(script).toMatch(/gh issue create --title "Drift on \$STACK" --label "\$label" --body-file body.md/);
});

test("CI uses the Node major of the project and the CLI of its SDK, installed before pulumi/actions so that it downloads nothing", () => {
  for (const { file, step } of allSteps()) {
    if (step.uses?.startsWith("actions/setup-node@")) expect({ file, node: step.with?.["node-version"] }).toEqual({ file, node: 22 });
    if (step.uses?.startsWith("pulumi/actions@"))
      expect({ file, cli: step.with?.["pulumi-version"] }).toEqual({ file, cli: packageJson.dependencies["@pulumi/pulumi"] });
  }
  const install = setupAction.runs.steps.find((s) => s.name === "Install the Pulumi CLI");
  expect(install?.env?.PULUMI_VERSION).toBe(packageJson.dependencies["@pulumi/pulumi"]);
  expect(install?.run).toContain('[ "$("$RUNNER_TEMP/pulumi-cli/pulumi" version)" = "v${PULUMI_VERSION}" ]');
  // pulumi/actions downloads unchecked unless the CLI on PATH already satisfies its version (src/libs/pulumi-cli.ts).
  for (const { file, name, job } of allJobs()) {
    const steps = job.steps ?? [];
    const action = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    const setup = steps.findIndex((s) => s.uses === "./.github/actions/setup-delivery");
    if (action >= 0) expect({ file, name, setupFirst: setup >= 0 && setup < action }).toEqual({ file, name, setupFirst: true });
  }
  expect(packageJson.engines.node).toBe(">=22");
  for (const file of ["PulumiPolicy.yaml", "package-lock.json", ...STACKS.map((stack) => `config/${stack}.json`)]) {
    expect({ file, exists: fs.existsSync(path.join(ROOT, "policy", file)) }).toEqual({ file, exists: true });
  }
});

test("the platform runners get the AWS CLI, which the clusters' kubeconfig runs for its tokens", () => {
  const install = setupAction.runs.steps.find((s) => s.name === "Install the AWS CLI");
  expect(install?.env?.AWS_CLI_VERSION).toMatch(/^2\.\d+\.\d+$/);
  expect(install?.run).toContain('"$dir/installer/aws/install" --install-dir "$RUNNER_TEMP/aws-cli" --bin-dir "$RUNNER_TEMP/delivery-bin"');
  expect(install?.run).toContain('echo "$RUNNER_TEMP/delivery-bin" >> "$GITHUB_PATH"');
  const kubeconfig = fs.readFileSync(path.join(ROOT, "components", "cluster", "kubeconfig.ts"), "utf8");
  expect(kubeconfig).toContain('command: "aws"');
});

describe("what the workflows download is checked against its publisher before it runs", () => {
  /** Every `run` script of .github, its lines joined where a backslash continues them. */
  const scripts = allSteps()
    .filter(({ step }) => step.run)
    .map(({ file, step }) => ({ file, step, lines: step.run!.replace(/\\\n\s*/g, " ").split("\n") }));
  /** A command that fails unless the file it names is what its publisher released. */
  const CHECK = /^\s*(?:GNUPGHOME=\S+ )?(?:cosign verify-blob|gpgv|echo .*\| sha256sum --check|sha(?:256|512)sum --check)\b/;

  test("every download is written to a file that a check names before anything uses it; a failed check fails the step", () => {
    const downloads: string[] = [];
    for (const { file, step, lines } of scripts) {
      const where = `${file}: ${step.name ?? step.run!.split("\n")[0]}`;
      expect({ where, wget: lines.filter((l) => /\bwget\b/.test(l)) }).toEqual({ where, wget: [] });
      lines.forEach((line, i) => {
        if (!/\bcurl\b/.test(line)) return;
        const target = line.match(/\s-o\s+("[^"]+"|\S+)/)?.[1];
        // To a file, never piped into a shell or any other program.
        expect({ where, line, toFile: target !== undefined, piped: line.includes("|") }).toEqual({
          where,
          line,
          toFile: true,
          piped: false,
        });
        const check = lines.slice(i + 1).find((l) => CHECK.test(l) && l.includes(target!.replace(/"/g, "")));
        expect({ where, target, checkedBy: check?.trim().split(" ")[0] }).toEqual({ where, target, checkedBy: expect.any(String) });
        // The check's failure is the step's: not excused, not in a step allowed to fail.
        expect({ where, check, excused: /\|\|\s*(true|:)\s*$/.test(check!) }).toEqual({ where, check, excused: false });
        expect({ where, continueOnError: (step as { "continue-on-error"?: boolean })["continue-on-error"] }).toEqual({
          where,
          continueOnError: undefined,
        });
        downloads.push(target!);
      });
    }
    // What is downloaded at all, so that a new download is looked at here.
    expect(downloads.sort()).toEqual(
      [
        '"$dir/kubectl"',
        '"$dir/kubectl.sig"',
        '"$dir/kubectl.cert"',
        '"$dir/awscli.zip"',
        '"$dir/awscli.zip.sig"',
        '"$dir/$archive"',
        '"$dir/$sums"',
        '"$dir/$sums.sig"',
      ].sort(),
    );
  });

  test("kubectl: the Kubernetes release's keyless signature, by the release process's identity", () => {
    const run = setupAction.runs.steps.find((s) => s.name === "Install kubectl")?.run ?? "";
    expect(run).toContain(
      'cosign verify-blob "$dir/kubectl" --signature "$dir/kubectl.sig" --certificate "$dir/kubectl.cert" \\\n' +
        "  --certificate-identity krel-staging@k8s-releng-prod.iam.gserviceaccount.com \\\n" +
        "  --certificate-oidc-issuer https://accounts.google.com",
    );
  });

  test("the AWS CLI: a valid signature by the AWS CLI Team's key, whose fingerprint is the one AWS publishes", () => {
    const step = setupAction.runs.steps.find((s) => s.name === "Install the AWS CLI")!;
    const fingerprint = "FB5DB77FD5C118B80511ADA8A6310ACC4672475C";
    expect(step.env?.AWS_CLI_KEY_FINGERPRINT).toBe(fingerprint);
    expect(step.run).toContain('grep -Eq "^\\[GNUPG:\\] VALIDSIG .* ${AWS_CLI_KEY_FINGERPRINT}\\$" "$dir/gpgv.status"');
    // The committed key is that key: its OpenPGP v4 fingerprint (RFC 4880, 12.2) is SHA-1 over its public-key packet.
    const armour = fs.readFileSync(path.join(ACTIONS, "setup-delivery", "aws-cli.asc"), "utf8");
    const body = armour.split(/\n\n/)[1].split("\n=")[0];
    const packets = Buffer.from(body.replace(/\s/g, ""), "base64");
    expect(packets[0]).toBe(0x99); // an old-format public-key packet with a two-byte length
    const key = packets.subarray(0, 3 + packets.readUInt16BE(1));
    expect(createHash("sha1").update(key).digest("hex").toUpperCase()).toBe(fingerprint);
  });

  test("the Pulumi CLI: the release's checksums, signed from pulumi/pulumi's own workflows, then the archive against them", () => {
    const run = setupAction.runs.steps.find((s) => s.name === "Install the Pulumi CLI")?.run ?? "";
    expect(run).toContain(
      'cosign verify-blob "$dir/$sums" --bundle "$dir/$sums.sig" \\\n' +
        "  --certificate-identity-regexp '^https://github\\.com/pulumi/pulumi/\\.github/workflows/' \\\n" +
        "  --certificate-oidc-issuer https://token.actions.githubusercontent.com \\\n" +
        "  --certificate-github-workflow-repository pulumi/pulumi",
    );
    expect(run).toContain('echo "${expected:?no checksum for $archive in $sums}  $dir/$archive" | sha256sum --check --strict -');
    // Nothing of the archive runs before both checks.
    expect(run.indexOf("tar -xzf")).toBeGreaterThan(run.indexOf("sha256sum --check"));
  });
});
