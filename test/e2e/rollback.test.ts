/**
 * `npm run rollback` against the real engine: the `local` stack on a throwaway control plane, a file backend,
 * and a copy of the project in its own git repository (test/e2e/support/sandbox.ts). Version 1 deploys the
 * committed teams, version 2 adds a team; every rollback goes back to version 1. The steps share the stack and
 * run in order: the secrets-provider refusal, Ctrl-C during the update, a retry that fails at the cluster, a
 * killed rollback, and the retry that finishes. Skipped without the toolchain, except in CI (see local-stack).
 */
import * as fs from "fs";
import * as path from "path";
import { Result } from "./support/commands";
import { killTree } from "./support/processes";
import { stepsInOrder } from "./support/steps";
import { Sandbox, STACK } from "./support/sandbox";
import { findToolchain, inCi } from "./support/toolchain";
import { waitFor } from "./support/wait";

const MINUTE = 60_000;
const NEW_TEAM = "gamma";
const toolchain = findToolchain();
const runSuite = toolchain.ok || inCi();

let sandbox: Sandbox;
let versionOne: string;
/** Steps that need the stack the previous steps left: after a failure, the later steps are not run. */
const step = stepsInOrder();

interface HistoryJson {
  message: string;
  result: string;
  environment: Record<string, string>;
}

async function history(): Promise<HistoryJson[]> {
  return JSON.parse((await sandbox.pulumi(["stack", "history", "--json"])).stdout);
}

async function pendingOperations(): Promise<unknown[]> {
  return JSON.parse((await sandbox.pulumi(["stack", "export"])).stdout).deployment.pending_operations ?? [];
}

function worktrees(): string[] {
  return sandbox
    .git("worktree", "list", "--porcelain")
    .split("\n")
    .filter((line) => line.startsWith("worktree "));
}

/** `npm run rollback -- <stack> --yes` in the background, once its update holds the stack's lock (the CLI's header). */
async function rollbackUntilItsUpdateStarts() {
  const running = sandbox.npmInBackground(["run", "--silent", "rollback", "--", STACK, "--yes"]);
  let stdout = "";
  running.child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  let done = false;
  void running.result.finally(() => (done = true));
  await waitFor(
    "the rollback's update to start",
    5 * MINUTE,
    async () => {
      if (done) throw new Error(`the rollback ended before its update started:\n${output(await running.result)}`);
      return /^Updating \(/m.test(stdout) ? true : undefined;
    },
    50,
  );
  return { running, ended: () => done };
}

function output(result: Result): string {
  return `${result.stdout}\n${result.stderr}`;
}

const rollback = (...args: string[]) => sandbox.npm(["run", "--silent", "rollback", "--", STACK, ...args], { allowFailure: true });

/** A ValidatingAdmissionPolicy that refuses to delete the new team's namespace: the rollback's update fails at it, its preview does not. */
const KEEP_NAMESPACE = [
  {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: "e2e-keep-namespace" },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["DELETE"], resources: ["namespaces"] }] },
      validations: [{ expression: `oldObject.metadata.name != '${NEW_TEAM}'`, message: `e2e: namespace ${NEW_TEAM} may not be deleted` }],
    },
  },
  {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: "e2e-keep-namespace" },
    spec: { policyName: "e2e-keep-namespace", validationActions: ["Deny"] },
  },
];

(runSuite ? describe : describe.skip)("npm run rollback on the real engine (local stack, file backend)", () => {
  beforeAll(async () => {
    if (!toolchain.ok) throw new Error(`E2E FAILED: CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")}).`);
    sandbox = new Sandbox(toolchain.env);
    await sandbox.initLocalStack();
    versionOne = sandbox.commit("point local at the test control plane");
    await sandbox.pulumi(["up", "--yes", "--message", "version 1"]);
    sandbox.editStackConfig((doc) =>
      doc.addIn(
        ["config", "platform:teams"],
        doc.createNode({
          name: NEW_TEAM,
          owner: `${NEW_TEAM}-lead@example.com`,
          costCentre: "cc-2300",
          groups: { developers: [`team-${NEW_TEAM}`] },
        }),
      ),
    );
    sandbox.commit(`add team ${NEW_TEAM}`);
    await sandbox.pulumi(["up", "--yes", "--message", "version 2"]);
    await sandbox.kubectl(["get", "namespace", NEW_TEAM]);
  }, 15 * MINUTE);

  afterAll(async () => {
    const keep = process.env.E2E_KEEP === "1";
    if (sandbox) {
      await sandbox.cleanUp(keep);
      if (keep) console.log(`E2E_KEEP=1: kept ${sandbox.root}`);
    }
  }, 2 * MINUTE);

  step(
    "refused when HEAD's secrets provider differs from the version's, after showing the config diff; nothing changes",
    5 * MINUTE,
    async () => {
      const before = await history();
      const file = path.join(sandbox.projectDir, `Pulumi.${STACK}.yaml`);
      fs.writeFileSync(file, `secretsprovider: awskms://alias/pulumi-local?region=eu-west-1\n${fs.readFileSync(file, "utf8")}`);
      sandbox.commit("move local to a KMS key");
      try {
        const refused = await rollback("--to", "1", "--yes");
        expect(refused.code).toBe(2);
        expect(refused.stdout).toContain(`Pulumi.${STACK}.yaml from HEAD to version 1:`);
        expect(refused.stdout).toMatch(/^-secretsprovider: awskms:\/\/alias\/pulumi-local\?region=eu-west-1$/m);
        expect(refused.stdout).toMatch(new RegExp(`^-\\s+- name: ${NEW_TEAM}$`, "m"));
        expect(refused.stderr).toContain(
          `Rollback refused: the secrets provider of ${STACK} differs between version 1 and HEAD (Pulumi.${STACK}.yaml, diff above):\n` +
            `  version 1 (commit ${versionOne.slice(0, 12)}): passphrase\n  HEAD: awskms://alias/pulumi-local?region=eu-west-1`,
        );
        expect(await history()).toEqual(before);
        expect(worktrees()).toHaveLength(1);
      } finally {
        sandbox.git("revert", "--no-edit", "HEAD");
      }
    },
  );

  step(
    "a rollback that fails at the cluster (an admission policy refuses the namespace's deletion; the preview passes) is recorded as failed",
    10 * MINUTE,
    async () => {
      await sandbox.kubectl([
        "apply",
        "-f",
        sandbox.writeFile("keep-namespace.json", { apiVersion: "v1", kind: "List", items: KEEP_NAMESPACE }),
      ]);
      await waitFor("the admission policy to refuse the deletion", MINUTE, async () => {
        const dryRun = await sandbox.kubectl(["delete", "namespace", NEW_TEAM, "--dry-run=server"], { allowFailure: true });
        return dryRun.code !== 0 && /may not be deleted/.test(dryRun.stderr) ? true : undefined;
      });
      const failed = await rollback("--yes");
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(
        /back to version 1 \(.*\)\.\nWhy this version: the newest successful update of another commit than the latest update \(version 2\)\./,
      );
      expect(failed.stdout).toContain("Dependencies: linked ");
      expect(failed.stdout).toContain("Policy Packs run:");
      expect(output(failed)).toMatch(/may not be deleted/);
      expect(failed.stderr).toContain(`the update to version 1 failed, so ${STACK} may be partly rolled back`);
      const [latest] = await history();
      expect(latest.result).toBe("failed");
      expect(latest.message).toMatch(new RegExp(`^Rollback of ${STACK} to version 1 \\(commit ${versionOne.slice(0, 12)}\\)`));
      expect(sandbox.locks()).toEqual([]);
      expect(worktrees()).toHaveLength(1);
    },
  );

  step(
    "the retry without --to goes to version 1 again, not to the added team's commit; Ctrl-C during its update leaves no lock",
    10 * MINUTE,
    async () => {
      // The CLI prints its header once it holds the lock; it handles SIGINT once the engine runs, a moment later,
      // while the program is still being evaluated (a signal before that kills it: the tool then removes its lock).
      const { running } = await rollbackUntilItsUpdateStarts();
      await new Promise((resolve) => setTimeout(resolve, 500));
      // What a terminal does at Ctrl-C: SIGINT to the foreground process group (npm, the tool).
      process.kill(-running.child.pid!, "SIGINT");
      const cancelled = await running.result;
      expect(cancelled.stdout).toMatch(
        /back to version 1 \(.*\)\.\nWhy this version: the latest update, version 3, is a rollback to version 1 that failed or was cancelled: a retry goes to the same version\./,
      );
      // npm waits for its script, then re-raises the SIGINT: its status is the signal's, not the tool's.
      expect(cancelled.code).not.toBe(0);
      expect(cancelled.stderr.match(/SIGINT: stopping the rollback\./g)).toHaveLength(1);
      expect(cancelled.stderr).toContain("the update to version 1 was cancelled (Ctrl-C): ");
      // Handled by the engine (one "^C received"), or the CLI killed before it could handle it and its lock removed.
      const handled = cancelled.stdout.match(/\^C received; cancelling\./g)?.length ?? 0;
      expect(handled).toBeLessThanOrEqual(1);
      expect(cancelled.stderr).toContain(
        handled === 1
          ? `Run \`npm run rollback -- ${STACK}\` again to finish it (without --to it goes to version 1 again).`
          : `the tool removed the lock it left, so ${STACK} may be partly rolled back. Run \`npm run rollback -- ${STACK} --to 1\` to finish it.`,
      );
      expect(cancelled.stdout).not.toContain("^C received; terminating");
      expect(sandbox.locks()).toEqual([]);
      expect(await pendingOperations()).toEqual([]);
      expect(worktrees()).toHaveLength(1);
    },
  );

  step("once the cluster accepts it, the same command finishes the rollback to version 1: the team is gone", 10 * MINUTE, async () => {
    await sandbox.kubectl(["delete", "validatingadmissionpolicybinding,validatingadmissionpolicy", "e2e-keep-namespace"]);
    await waitFor("the admission policy to be gone", MINUTE, async () => {
      const dryRun = await sandbox.kubectl(["delete", "namespace", NEW_TEAM, "--dry-run=server"], { allowFailure: true });
      return dryRun.code === 0 ? true : undefined;
    });
    const finished = await rollback("--yes");
    expect(finished.code).toBe(0);
    expect(finished.stdout).toMatch(
      /Why this version: the latest update, version \d+, is a rollback to version 1 that failed or was cancelled/,
    );
    expect(finished.stdout).toMatch(new RegExp(`Rolled ${STACK} back to version 1 \\(commit ${versionOne.slice(0, 12)}\\)`));
    await waitFor(`namespace ${NEW_TEAM} to be gone`, MINUTE, async () => {
      const result = await sandbox.kubectl(["get", "namespace", NEW_TEAM], { allowFailure: true });
      return result.code !== 0 && /NotFound/.test(result.stderr) ? true : undefined;
    });
    const outputs = JSON.parse((await sandbox.pulumi(["stack", "output", "--json"])).stdout);
    expect(Object.keys(outputs.teamNamespaces)).not.toContain(NEW_TEAM);
    const [latest] = await history();
    expect(latest.result).toBe("succeeded");
    expect(latest.environment["git.head"]).toBe(versionOne);
  });
  step(
    "a rollback killed mid-update (a killed job) leaves a lock and no history entry: after `pulumi cancel`, a rollback without --to refuses and prints the --to commands",
    10 * MINUTE,
    async () => {
      await sandbox.pulumi(["up", "--yes", "--message", `add team ${NEW_TEAM} again`]);
      const records = await history();
      const stateFile = path.join(sandbox.stateDir, ".pulumi", "stacks", "k8s-platform", `${STACK}.json`);
      const { running, ended } = await rollbackUntilItsUpdateStarts();
      const before = fs.statSync(stateFile).mtimeMs;
      // The first checkpoint of the update: the engine has started changing the stack (the namespace's deletion waits for its finalizers).
      await waitFor(
        "the update's first write of the state",
        5 * MINUTE,
        async () => {
          if (ended()) throw new Error(`the rollback ended before it wrote the state:\n${output(await running.result)}`);
          return fs.statSync(stateFile).mtimeMs > before ? true : undefined;
        },
        20,
      );
      const killed = killTree(running.child.pid!);
      expect(killed.length).toBeGreaterThan(3); // npm, the tool, the CLI and its plugins
      await running.result;

      expect(sandbox.locks().length).toBeGreaterThan(0);
      expect(await history()).toHaveLength(records.length);
      // The operator, once sure that the job is gone.
      await sandbox.pulumi(["cancel", "--yes"]);
      const newestGood = records.length; // the update that added the team again
      const wasGoing = records.length - 1; // the rollback to version 1 that succeeded before it

      const refused = await rollback("--yes");
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /Rollback refused: (the state has \d+ pending operation|the state was written at .* after the last recorded update)/,
      );
      expect(refused.stderr).toContain("Choose one and run it:");
      expect(refused.stderr).toMatch(
        new RegExp(`^  npm run rollback -- ${STACK} --to ${newestGood} +# the newest successful update, version ${newestGood} `, "m"),
      );
      expect(refused.stderr).toMatch(
        new RegExp(
          `^  npm run rollback -- ${STACK} --to ${wasGoing} +# version ${wasGoing} .*where a rollback started without --to was going`,
          "m",
        ),
      );
      expect(await history()).toHaveLength(records.length);
    },
  );
});
