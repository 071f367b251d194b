/**
 * Which version a rollback goes to. With `--to`, that version. Without it, a rule that stays right when the
 * tool is run again after a rollback failed, was cancelled or was killed:
 *
 * 1. If the state changed after the last recorded update ended, an update was interrupted before the backend
 *    could record it (the DIY backends write the history entry only at the end of an update, so a killed job
 *    leaves none). The history does not say what it deployed, so the tool refuses and prints the `--to`
 *    commands to choose from.
 * 2. If the latest update is a rollback (its message says so), the same version again, whatever its result:
 *    a retry of a failed rollback finishes it, and a retry of a succeeded one changes nothing.
 * 3. Otherwise the newest successful update whose commit differs from the one the latest update ran: the last
 *    change of program is undone, whether it succeeded or failed halfway.
 */
import { describeRow, rollbackCommand } from "./format";
import { checkTarget, HistoryRow, RollbackTarget, versionTarget } from "./history";
import { RollbackRefused } from "./refusals";

/** What `pulumi stack export` tells about the last write of the state. */
export interface StateSummary {
  /** `deployment.manifest.time`: when the engine last wrote the checkpoint. */
  writtenAt?: Date;
  /** `deployment.pending_operations`, as `<type> <urn>`: operations that started and were never seen to end. */
  pendingOperations: string[];
}

/** The part of `pulumi stack export`'s deployment that tells whether an update ended unrecorded. */
interface ExportedDeployment {
  manifest?: { time?: string };
  pending_operations?: { type?: string; resource?: { urn?: string } }[];
}

export function stateSummary(deployment: ExportedDeployment | undefined): StateSummary {
  const time = deployment?.manifest?.time;
  return {
    writtenAt: time ? new Date(time) : undefined,
    pendingOperations: (deployment?.pending_operations ?? []).map(
      (operation) => `${operation.type ?? "?"} ${operation.resource?.urn ?? "?"}`,
    ),
  };
}

export interface Selection {
  target: RollbackTarget;
  /** Why this version, for the operator. */
  reason: string;
  /** Something the operator should know before confirming (an interrupted update, with `--to`). */
  warning?: string;
}

/**
 * The engine writes the checkpoint for the last time just before the backend records the update's end time,
 * which the DIY backends keep in whole seconds (measured: written 12:45:46.81, recorded end 12:45:46). A
 * killed update writes its first checkpoint only after the program has started, seconds later.
 */
const RECORDING_SLACK_MS = 2_000;

export function selectTarget(stack: string, rows: readonly HistoryRow[], state: StateSummary, to?: number): Selection {
  if (rows.length === 0) throw new RollbackRefused(`stack ${stack} has no history: there is nothing to roll back to.`);
  const interruption = findInterruption(rows, state);
  if (to !== undefined) {
    return {
      target: versionTarget(stack, rows, to),
      reason: `--to ${to}`,
      warning: interruption && `${interruption}. Going to version ${to} as asked.`,
    };
  }
  if (interruption) throw interruptedRefusal(stack, rows, interruption);
  return historyDefault(stack, rows);
}

/** A sign that the state is not what the latest recorded update left, described for the operator. */
export function findInterruption(rows: readonly HistoryRow[], state: StateSummary): string | undefined {
  const [latest] = rows;
  if (latest?.result === "in-progress") {
    return `version ${latest.version} (${latest.kind}) is recorded as in progress: it is still running, or its process was killed`;
  }
  if (state.pendingOperations.length > 0) {
    const listed = state.pendingOperations.slice(0, 5).join("; ");
    const more = state.pendingOperations.length > 5 ? `; and ${state.pendingOperations.length - 5} more` : "";
    return `the state has ${state.pendingOperations.length} pending operation(s) (${listed}${more}), left by an update that was stopped before it saw them end`;
  }
  if (latest?.endTime && state.writtenAt && state.writtenAt.getTime() > latest.endTime.getTime() + RECORDING_SLACK_MS) {
    return (
      `the state was written at ${state.writtenAt.toISOString()}, after the last recorded ${latest.kind} (version ${latest.version}) ended at ${latest.endTime.toISOString()}: ` +
      `an update was interrupted (a killed job) before it could record itself, or the state was edited outside an update (pulumi state …, stack import, change-secrets-provider)`
    );
  }
  return undefined;
}

function historyDefault(stack: string, rows: readonly HistoryRow[]): Selection {
  const latestUpdate = rows.find((row) => row.kind === "update");
  if (latestUpdate?.rollbackTo) return retryOf(stack, rows, latestUpdate);
  const target = rows.find(
    (row) => row.kind === "update" && row.result === "succeeded" && row !== latestUpdate && row.commit !== latestUpdate?.commit,
  );
  if (!target) {
    throw new RollbackRefused(
      `stack ${stack} has no successful update of another commit before the current one; choose a version with --to (see --list).`,
    );
  }
  return {
    target: checkTarget(stack, target),
    reason: `the newest successful update of another commit than the latest update (version ${latestUpdate?.version})`,
  };
}

/** The latest update was a rollback: the same version, found again by number and checked by its commit. */
function retryOf(stack: string, rows: readonly HistoryRow[], rollback: HistoryRow): Selection {
  const { version, shortCommit } = rollback.rollbackTo!;
  const target = rows.find((row) => row.version === version);
  if (!target?.commit?.startsWith(shortCommit)) {
    const moved = rows.find(
      (row) => row.kind === "update" && row.result === "succeeded" && !row.rollbackTo && row.commit?.startsWith(shortCommit),
    );
    throw new RollbackRefused(
      `the latest update of ${stack}, version ${rollback.version}, is a rollback to version ${version} (commit ${shortCommit}), but version ${version} of the history ` +
        `${target ? `is commit ${target.commit?.slice(0, 12) ?? "(none recorded)"}` : "does not exist"}: the history was renumbered (history files deleted). ` +
        (moved
          ? `That commit is version ${moved.version} now: ${rollbackCommand(stack, moved.version)}`
          : "Choose a version with --to (see --list)."),
    );
  }
  const outcome =
    rollback.result === "succeeded"
      ? "that succeeded: running the tool again re-applies it and changes nothing (to go further back, use --to)"
      : `that ${rollback.result === "failed" ? "failed or was cancelled" : `is ${rollback.result}`}: a retry goes to the same version`;
  return {
    target: checkTarget(stack, target),
    reason: `the latest update, version ${rollback.version}, is a rollback to version ${version} ${outcome}`,
  };
}

function interruptedRefusal(stack: string, rows: readonly HistoryRow[], interruption: string): RollbackRefused {
  const newestGood = rows.find((row) => row.kind === "update" && isTarget(stack, row));
  let wouldHaveChosen: RollbackTarget | undefined;
  try {
    wouldHaveChosen = historyDefault(stack, rows).target;
  } catch (error) {
    if (!(error instanceof RollbackRefused)) throw error;
  }
  const choices = [
    newestGood &&
      `  ${rollbackCommand(stack, newestGood.version)}    # the newest successful update, ${describeRow(newestGood)}: undoes the interrupted update if it was a deploy`,
    wouldHaveChosen &&
      wouldHaveChosen.version !== newestGood?.version &&
      `  ${rollbackCommand(stack, wouldHaveChosen.version)}    # ${describeRow(wouldHaveChosen)}: where a rollback started without --to was going, if the interrupted update was one`,
  ].filter((line): line is string => typeof line === "string");
  return new RollbackRefused(
    [
      `${interruption}.`,
      `The history does not record what the interrupted update deployed, so without --to the tool cannot tell which version to go to.`,
      ...(choices.length > 0 ? ["Choose one and run it:", ...choices] : ["Choose a version with --to (see --list)."]),
      `A lock left by a killed process is removed with \`pulumi cancel --stack ${stack}\` (only once that process is surely gone).`,
    ].join("\n"),
  );
}

function isTarget(stack: string, row: HistoryRow): boolean {
  try {
    checkTarget(stack, row);
    return true;
  } catch (error) {
    if (error instanceof RollbackRefused) return false;
    throw error;
  }
}
