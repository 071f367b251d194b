/**
 * The update message a rollback records, so that the history shows what each later version is, and so that a
 * retry finds the version a failed or cancelled rollback was going to (parseRollbackMessage reads it back).
 */

export function firstLine(text: string): string {
  return text.split("\n")[0].trim();
}

export function rollbackMessage(stack: string, target: { version: number; commit: string; message: string }, operator: string): string {
  const original = firstLine(target.message);
  return `Rollback of ${stack} to version ${target.version} (commit ${target.commit.slice(0, 12)}) by ${operator}${original ? `: ${original}` : ""}`;
}

/** What an update's message says about the rollback that ran it: the version and the commit's first 12 digits. */
export interface RecordedRollback {
  version: number;
  shortCommit: string;
}

const ROLLBACK_MESSAGE = /^Rollback of \S+ to version ([0-9]+) \(commit ([0-9a-f]{12})\)/;

export function parseRollbackMessage(message: string): RecordedRollback | undefined {
  const match = ROLLBACK_MESSAGE.exec(message);
  return match ? { version: Number(match[1]), shortCommit: match[2] } : undefined;
}
