/** Histories for the rollback tool's tests (test/unit/rollback*.test.ts). */
import type { HistoryEntry } from "../../scripts/lib/stack-records";
import { RollbackRefused } from "../../scripts/rollback/refusals";

export const SHA = { a: "a".repeat(40), b: "b".repeat(40), c: "c".repeat(40), d: "d".repeat(40) };

/** A `stack history` entry as the Automation API returns it from a DIY backend (every version 0); it ends a minute after it starts. */
export function entry(overrides: Partial<HistoryEntry> & { commit?: string; dirty?: boolean } = {}): HistoryEntry {
  const { commit, dirty, ...rest } = overrides;
  const environment: Record<string, string> = { "exec.kind": "auto.local", "pulumi.version": "v3.276.0" };
  if (commit !== undefined) environment["git.head"] = commit;
  if (commit !== undefined) environment["git.dirty"] = String(dirty ?? false);
  const startTime = rest.startTime ?? new Date("2026-11-20T10:00:00Z");
  return {
    version: 0,
    kind: "update",
    result: "succeeded",
    message: "deploy",
    environment,
    endTime: new Date(new Date(startTime).getTime() + 60_000),
    ...rest,
    startTime,
  };
}

/** Newest first, like `pulumi stack history`: v4 deployed c, v3 a refresh, v2 deployed b, v1 deployed a. */
export const HISTORY: HistoryEntry[] = [
  entry({ commit: SHA.c, message: "Add the logging stack\n\nlong body", startTime: new Date("2026-11-24T09:30:00Z") }),
  entry({ kind: "refresh", commit: SHA.b, startTime: new Date("2026-11-23T04:17:00Z") }),
  entry({ commit: SHA.b, message: "Raise the node pool", startTime: new Date("2026-11-22T15:00:00Z") }),
  entry({ commit: SHA.a, message: "First deploy", startTime: new Date("2026-11-21T12:00:00Z") }),
];

/** The message the tool records for a rollback (format.ts's rollbackMessage). */
export function rollbackEntry(to: { version: number; commit: string }, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return entry({
    commit: to.commit,
    message: `Rollback of prod to version ${to.version} (commit ${to.commit.slice(0, 12)}) by ana@laptop: Raise the node pool`,
    ...overrides,
  });
}

/** The message of the rollback's refusal `fn` raises; fails the test if it raises anything else or nothing. */
export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RollbackRefused);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}
