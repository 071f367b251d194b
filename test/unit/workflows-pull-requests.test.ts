/**
 * What a pull request runs (the delivery workflows read as YAML): the unit tests, a preview per stack only for
 * branches of this repository and as the stack's preview role, and npm run verify for every stack, forks included,
 * with its tables in one comment.
 */
import { requiredTools } from "../../scripts/verify/tools";
import { workflows, actions, needsOf, runs, roleStep, LIST_STACKS, matrixJob } from "./workflows-fixtures";

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
