import type { HistoryEntry } from "../lib/stack-records";
import { parseRollbackMessage, RecordedRollback } from "./message";
import { RollbackRefused } from "./refusals";

/** One update of the stack's history, newest first, with the git commit the CLI recorded for it. */
export interface HistoryRow {
  version: number;
  kind: string;
  result: string;
  startTime: Date;
  /** When the backend recorded the update's end (whole seconds on the DIY backends); absent while it runs. */
  endTime?: Date;
  message: string;
  /** `git.head`: the commit checked out when the update ran; absent when it ran outside a git work tree. */
  commit?: string;
  /** `git.dirty`: the work tree had uncommitted changes, so the program that ran was not `commit`. */
  dirty: boolean;
  /** Set when this update was run by this tool: the version it rolled back to (read from its message). */
  rollbackTo?: RecordedRollback;
}

/** An update that can be rolled back to: it succeeded and recorded the clean commit it ran. */
export type RollbackTarget = HistoryRow & { commit: string };

/** A full (SHA-1 or SHA-256) object name; anything else is not passed to git. */
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * The history as rows, newest first. Pulumi Cloud numbers its updates; the DIY backends (file, S3) record
 * no version and report 0 for every entry, so there the oldest entry is version 1 and the newest is N, the
 * numbering Pulumi Cloud would have given. Entries are never renumbered as new updates arrive on top.
 */
export function toRows(history: readonly HistoryEntry[]): HistoryRow[] {
  const numbered = history.length > 0 && history.every((entry) => entry.version > 0);
  return history.map((entry, index) => {
    const head = entry.environment?.["git.head"]?.trim().toLowerCase();
    const message = entry.message ?? "";
    return {
      version: numbered ? entry.version : history.length - index,
      kind: entry.kind,
      result: entry.result,
      startTime: new Date(entry.startTime),
      endTime: entry.endTime ? new Date(entry.endTime) : undefined,
      message,
      commit: head && COMMIT.test(head) ? head : undefined,
      dirty: entry.environment?.["git.dirty"] === "true",
      rollbackTo: entry.kind === "update" ? parseRollbackMessage(message) : undefined,
    };
  });
}

/** A version by number, checked against everything the history alone can tell. */
export function versionTarget(stack: string, rows: readonly HistoryRow[], to: number): RollbackTarget {
  const target = rows.find((row) => row.version === to);
  if (!target) {
    const versions = rows.map((row) => row.version);
    const range = versions.length === 0 ? "it has no history" : `versions ${Math.min(...versions)} to ${Math.max(...versions)}`;
    throw new RollbackRefused(`version ${to} is not in the history of ${stack} (${range}; see --list).`);
  }
  return checkTarget(stack, target);
}

/** Why a version cannot be rolled back to, or the version as a target. */
export function checkTarget(stack: string, target: HistoryRow): RollbackTarget {
  const version = `version ${target.version} of ${stack}`;
  if (target.kind !== "update") {
    throw new RollbackRefused(
      `${version} is a ${target.kind}, not an update: no program was deployed by it. Choose an update (see --list).`,
    );
  }
  if (target.result !== "succeeded") {
    throw new RollbackRefused(
      `${version} ${target.result === "failed" ? "failed" : `is ${target.result}`}: its program never fully deployed, so it is no known-good state. Choose a succeeded update (see --list).`,
    );
  }
  if (!target.commit) {
    throw new RollbackRefused(
      `${version} recorded no git commit (it was deployed from outside a git work tree), so its program cannot be checked out. Choose another version (see --list).`,
    );
  }
  if (target.dirty) {
    throw new RollbackRefused(
      `${version} was deployed from a work tree with uncommitted changes (git.dirty), so commit ${target.commit.slice(0, 12)} is not the program that ran. Choose another version (see --list).`,
    );
  }
  return { ...target, commit: target.commit };
}
