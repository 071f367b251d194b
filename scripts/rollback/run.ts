import * as path from "path";
import { describeRow, errorSummary, formatDuration, formatHistory, rollbackMessage } from "./format";
import { HistoryEntry, selectTarget, toRows } from "./history";
import { isStackLocked, lockedRefusal, programChanges, RollbackRefused } from "./refusals";

/** A stack as seen from one program directory (the live checkout, or the worktree of an older commit). */
export interface StackHandle {
  /** Where the state lives (`s3://…`, `file://…`), for the operator to see which backend is touched. */
  backend(): Promise<string>;
  history(): Promise<HistoryEntry[]>;
  /** Streams the per-object diff of this directory's program and config against the live stack. */
  preview(write: (chunk: string) => void): Promise<void>;
  up(message: string, write: (chunk: string) => void): Promise<void>;
}

export interface Git {
  topLevel(dir: string): Promise<string>;
  hasCommit(commit: string): Promise<boolean>;
  /** Checks the commit out, detached, in a new temporary worktree; returns its path. */
  addWorktree(commit: string): Promise<string>;
  statusPorcelain(dir: string): Promise<string>;
  removeWorktree(worktree: string): Promise<void>;
}

/** Everything the rollback does to the outside world, injected so that its logic is tested with fakes. */
export interface RollbackDeps {
  openStack(stack: string, programDir: string): Promise<StackHandle>;
  git: Git;
  /** `npm ci` in the checked-out program. */
  install(programDir: string): Promise<void>;
  confirm(question: string): Promise<boolean>;
  log(line: string): void;
  write(chunk: string): void;
  now(): number;
  operator: string;
}

export async function listHistory(stack: string, projectDir: string, deps: RollbackDeps): Promise<void> {
  const live = await deps.openStack(stack, projectDir);
  deps.log(`History of ${stack} (${await live.backend()}):`);
  const rows = toRows(await live.history());
  deps.log(rows.length === 0 ? "no updates yet" : formatHistory(rows));
  try {
    deps.log(`\nWithout --to, a rollback goes to ${describeRow(selectTarget(stack, rows))}.`);
  } catch (error) {
    if (!(error instanceof RollbackRefused)) throw error;
    deps.log(`\nWithout --to, a rollback is refused: ${error.message}`);
  }
}

export type RollbackOutcome = "rolled-back" | "declined";

/**
 * Re-deploys the program and config of an earlier update: checks its commit out in a temporary worktree,
 * installs its dependencies, previews it against the live stack, asks, runs `up`. Refusals (RollbackRefused)
 * all happen before the stack is changed.
 */
export async function rollback(
  options: { stack: string; to?: number; yes: boolean },
  projectDir: string,
  deps: RollbackDeps,
): Promise<RollbackOutcome> {
  const { stack } = options;
  const started = deps.now();
  const live = await deps.openStack(stack, projectDir);
  const target = selectTarget(stack, toRows(await live.history()), options.to);
  const { commit } = target;
  deps.log(`Rolling ${stack} (${await live.backend()}) back to ${describeRow(target)}.`);

  if (!(await deps.git.hasCommit(commit))) {
    throw new RollbackRefused(
      `commit ${commit} (version ${target.version}) is not in this clone. Run \`git fetch\` and try again; if it is still missing, it was removed from the repository (a force-push) and this version cannot be checked out.`,
    );
  }
  const programPath = path.relative(await deps.git.topLevel(projectDir), projectDir);
  const worktree = await deps.git.addWorktree(commit);
  try {
    const programDir = path.join(worktree, programPath);
    deps.log(`Checked out ${commit.slice(0, 12)} in ${worktree}; installing its dependencies.`);
    await deps.install(programDir);
    const changes = programChanges(await deps.git.statusPorcelain(worktree));
    if (changes.length > 0) {
      throw new RollbackRefused(
        `the worktree of ${commit.slice(0, 12)} is not clean after installing its dependencies, so the program would not be exactly that commit:\n${changes.map((line) => `  ${line}`).join("\n")}`,
      );
    }

    const atVersion = await deps.openStack(stack, programDir);
    deps.log(`\nPreview of version ${target.version}'s program and config against the live stack:`);
    await refusingIfLocked(stack, () => atVersion.preview(deps.write));
    const prepared = deps.now();

    if (!options.yes && !(await deps.confirm(`Roll ${stack} back to version ${target.version} as previewed above? [y/N] `))) {
      deps.log("Rollback declined: nothing was changed.");
      return "declined";
    }
    const confirmed = deps.now();
    await refusingIfLocked(stack, () => atVersion.up(rollbackMessage(stack, target, deps.operator), deps.write)).catch((error: Error) => {
      if (error instanceof RollbackRefused) throw error;
      throw new Error(
        `the update to version ${target.version} failed, so ${stack} may be partly rolled back (see the output above). ` +
          `Run the rollback again, or deploy a fix. ${errorSummary(error)}`,
      );
    });
    const finished = deps.now();
    deps.log(
      `\nRolled ${stack} back to version ${target.version} (commit ${commit.slice(0, 12)}) in ${formatDuration(finished - confirmed + prepared - started)}` +
        ` (preparation and preview ${formatDuration(prepared - started)}, update ${formatDuration(finished - confirmed)}${options.yes ? "" : "; time waiting for confirmation not counted"}).`,
    );
    return "rolled-back";
  } finally {
    // A leftover worktree must not hide the rollback's own outcome.
    await deps.git.removeWorktree(worktree).catch((error: Error) =>
      deps.log(`Could not remove the worktree ${worktree} (${error.message}); remove it with \`git worktree remove --force ${worktree}\`.`),
    );
  }
}

async function refusingIfLocked(stack: string, operation: () => Promise<void>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (isStackLocked(error)) throw lockedRefusal(stack, error as Error);
    throw error;
  }
}

