import * as path from "path";
import { DependencyFiles, provideDependencies } from "./dependencies";
import { Engine, EngineRun, PolicyPack } from "./engine";
import { describeRow, errorSummary, formatDuration, formatHistory, rollbackCommand } from "./format";
import type { HistoryEntry } from "../lib/stack-records";
import { toRows } from "./history";
import { Interrupt } from "./interrupt";
import { rollbackMessage } from "./message";
import { EngineFailure, lockedRefusal, programChanges, RollbackCancelled, RollbackRefused } from "./refusals";
import { refuseOtherSecretsProvider, stackFile } from "./stack-config";
import { selectTarget, StateSummary } from "./target";
import { policyConfigFile } from "../../config/tenancy-shards";

/** A stack's records, read from the live checkout. */
export interface StackHandle {
  /** Where the state lives (`s3://…`, `file://…`), for the operator to see which backend is touched. */
  backend(): Promise<string>;
  history(): Promise<HistoryEntry[]>;
  /** From `pulumi stack export`, without decrypting anything. */
  state(): Promise<StateSummary>;
}

export interface Git {
  topLevel(dir: string): Promise<string>;
  hasCommit(commit: string): Promise<boolean>;
  /** A file of the live checkout's directory at a commit (`HEAD`, a SHA), or undefined when it has none. */
  show(ref: string, file: string): Promise<string | undefined>;
  /** `git diff from to -- file` in the live checkout's directory. */
  diff(from: string, to: string, file: string): Promise<string>;
  /** Checks the commit out, detached, in a new temporary worktree; returns its path. */
  addWorktree(commit: string): Promise<string>;
  /** `git status --porcelain` of a directory, or of one path in it. */
  statusPorcelain(dir: string, pathspec?: string): Promise<string>;
  removeWorktree(worktree: string): Promise<void>;
}

/** Everything the rollback does to the outside world, injected so that its logic is tested with fakes. */
export interface RollbackDeps {
  openStack(stack: string, programDir: string): Promise<StackHandle>;
  engine: Engine;
  git: Git;
  files: DependencyFiles;
  interrupt: Interrupt;
  confirm(question: string): Promise<boolean>;
  log(line: string): void;
  now(): number;
  operator: string;
}

export async function listHistory(stack: string, projectDir: string, deps: RollbackDeps): Promise<void> {
  const live = await deps.openStack(stack, projectDir);
  deps.log(`History of ${stack} (${await live.backend()}):`);
  const rows = toRows(await live.history());
  deps.log(rows.length === 0 ? "no updates yet" : formatHistory(rows));
  try {
    const { target, reason } = selectTarget(stack, rows, await live.state());
    deps.log(`\nWithout --to, a rollback goes to ${describeRow(target)}: ${reason}.`);
  } catch (error) {
    if (!(error instanceof RollbackRefused)) throw error;
    deps.log(`\nWithout --to, a rollback is refused: ${error.message}`);
  }
}

export type RollbackOutcome = "rolled-back" | "declined";

/**
 * Re-deploys the program and config of an earlier update: shows the config diff, checks its commit out in a
 * temporary worktree, provides its dependencies, previews it against the live stack with the policy pack,
 * asks, runs `up`. Refusals (RollbackRefused) and Ctrl-C before the update (RollbackCancelled) change nothing.
 */
export async function rollback(
  options: { stack: string; to?: number; yes: boolean },
  projectDir: string,
  deps: RollbackDeps,
): Promise<RollbackOutcome> {
  const { stack } = options;
  const started = deps.now();
  const stopIfInterrupted = () => {
    if (deps.interrupt.requested) throw new RollbackCancelled("stopped (Ctrl-C) before the update started: nothing was changed.");
  };
  const live = await deps.openStack(stack, projectDir);
  // Each is a CLI run of its own: side by side, they take the time of the slowest.
  const [history, state, backend] = await Promise.all([live.history(), live.state(), live.backend()]);
  const { target, reason, warning } = selectTarget(stack, toRows(history), state, options.to);
  const { commit } = target;
  deps.log(`Rolling ${stack} (${backend}) back to ${describeRow(target)}.\nWhy this version: ${reason}.`);
  if (warning) deps.log(`Warning: ${warning}`);

  if (!(await deps.git.hasCommit(commit))) {
    throw new RollbackRefused(
      `commit ${commit} (version ${target.version}) is not in this clone. Run \`git fetch\` and try again; if it is still missing, it was removed from the repository (a force-push) and this version cannot be checked out.`,
    );
  }
  const settings = stackFile(stack);
  const configDiff = await deps.git.diff("HEAD", commit, settings);
  deps.log(
    configDiff.trim()
      ? `\n${settings} from HEAD to version ${target.version}:\n${configDiff.trimEnd()}`
      : `\n${settings} is the same at HEAD and at version ${target.version}.`,
  );
  refuseOtherSecretsProvider(stack, target, await deps.git.show(commit, settings), await deps.git.show("HEAD", settings));
  const policy = await policyPack(stack, projectDir, deps);
  stopIfInterrupted();

  const programPath = path.relative(await deps.git.topLevel(projectDir), projectDir);
  const worktree = await deps.git.addWorktree(commit);
  try {
    const programDir = path.join(worktree, programPath);
    deps.log(`Checked out ${commit.slice(0, 12)} in ${worktree}.`);
    deps.log(`Dependencies: ${await provideDependencies(projectDir, programDir, deps.files)}.`);
    stopIfInterrupted();
    const changes = programChanges(await deps.git.statusPorcelain(worktree));
    if (changes.length > 0) {
      throw new RollbackRefused(
        `the worktree of ${commit.slice(0, 12)} is not clean after installing its dependencies, so the program would not be exactly that commit:\n${changes.map((line) => `  ${line}`).join("\n")}`,
      );
    }

    const run: EngineRun = { stack, programDir, policy };
    deps.log(`\nPreview of version ${target.version}'s program and config against the live stack, with the policy pack:`);
    await refusingIfLocked(stack, () => deps.engine.preview(run)).catch((error: Error) => {
      stopIfInterrupted();
      throw error;
    });
    stopIfInterrupted();
    const prepared = deps.now();

    if (!options.yes && !(await deps.confirm(`Roll ${stack} back to version ${target.version} as previewed above? [y/N] `))) {
      deps.log("Rollback declined: nothing was changed.");
      return "declined";
    }
    stopIfInterrupted();
    const confirmed = deps.now();
    const retry = `Run \`npm run rollback -- ${stack}\` again to finish it (without --to it goes to version ${target.version} again)`;
    await refusingIfLocked(stack, () => deps.engine.up({ ...run, message: rollbackMessage(stack, target, deps.operator) })).catch(
      (error: Error) => {
        if (error instanceof RollbackRefused) throw error;
        if (error instanceof EngineFailure && error.killed?.lock === "none") stopIfInterrupted();
        if (deps.interrupt.requested) {
          const killed = error instanceof EngineFailure && error.killed !== undefined;
          // A killed CLI may have recorded nothing: only --to names the version for sure.
          const next = killed ? `Run \`${rollbackCommand(stack, target.version)}\` to finish it` : retry;
          throw new Error(
            `the update to version ${target.version} was cancelled (Ctrl-C): ${cancellation(error)}, so ${stack} may be partly rolled back. ${next}.`,
          );
        }
        throw new Error(
          `the update to version ${target.version} failed, so ${stack} may be partly rolled back (see the output above). ${retry}, or deploy a fix. ${errorSummary(error)}`,
        );
      },
    );
    const finished = deps.now();
    deps.log(
      `\nRolled ${stack} back to version ${target.version} (commit ${commit.slice(0, 12)}) in ${formatDuration(finished - confirmed + prepared - started)}` +
        ` (preparation and preview ${formatDuration(prepared - started)}, update ${formatDuration(finished - confirmed)}${options.yes ? "" : "; time waiting for confirmation not counted"}).`,
    );
    return "rolled-back";
  } finally {
    // A leftover worktree must not hide the rollback's own outcome.
    await deps.git
      .removeWorktree(worktree)
      .catch((error: Error) =>
        deps.log(
          `Could not remove the worktree ${worktree} (${error.message}); remove it with \`git worktree remove --force ${worktree}\`.`,
        ),
      );
  }
}

/**
 * The live checkout's policy pack with the stack's policy config, as the workflows pass them: the rules that
 * hold now, not those of the older commit (a policy added since is not bypassed by rolling back past it).
 * Committed pack only, so that what checks prod is what was reviewed.
 */
async function policyPack(stack: string, projectDir: string, deps: RollbackDeps): Promise<PolicyPack> {
  const dir = path.join(projectDir, "policy");
  const config = path.join(projectDir, policyConfigFile(stack.split("/").pop()!));
  if (deps.files.read(path.join(dir, "PulumiPolicy.yaml")) === undefined)
    throw new RollbackRefused(`there is no policy pack in ${dir} (PulumiPolicy.yaml).`);
  if (deps.files.read(config) === undefined)
    throw new RollbackRefused(`the policy pack has no config for ${stack}: ${config} does not exist.`);
  const changed = programChanges(await deps.git.statusPorcelain(projectDir, "policy"));
  if (changed.length > 0) {
    throw new RollbackRefused(
      `the policy pack has uncommitted changes, and a rollback is checked by the committed pack only:\n${changed.map((line) => `  ${line}`).join("\n")}`,
    );
  }
  if (deps.files.read(path.join(dir, "node_modules", ".package-lock.json")) === undefined) {
    deps.log(`Installing the policy pack's dependencies (npm ci in ${dir}).`);
    await deps.files.npmCi(dir);
  }
  return { dir, config };
}

/** What a cancelled `up` left: the engine's own cancellation, or a CLI that the signal killed outright. */
function cancellation(error: Error): string {
  const killed = error instanceof EngineFailure ? error.killed : undefined;
  if (!killed) return "the engine finished the operations in flight, recorded the update as failed and released the lock";
  return killed.lock === "released"
    ? "the CLI was killed by the signal just before or after the engine ran, where it does not handle it, and the tool removed the lock it left"
    : "the CLI was killed by the signal just before or after the engine ran, and its lock could not be removed (see above)";
}

async function refusingIfLocked(stack: string, operation: () => Promise<void>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (error instanceof EngineFailure && error.locked) throw lockedRefusal(stack, error);
    throw error;
  }
}
