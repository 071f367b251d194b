/**
 * How a stack is deployed and checked for drift (the delivery workflows read as YAML): a plan as the preview role,
 * approved, then applied exactly as the deploy role; the order merges and releases deploy the environments and
 * their shards in; the scheduled drift check and its issues.
 */
import { EnvironmentAccount } from "../../bootstrap/environments";
import { previewRoleTrust } from "../../bootstrap/trust-policies";
import { STACKS, workflows, planAction, needsOf, runs, roleStep, listsStacks, matrixJob, type Step } from "./workflows-fixtures";

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
