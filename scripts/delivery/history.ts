/**
 * What a stack's history says was deployed: the git commit (`git.head`, recorded by the CLI) of each update
 * that succeeded from a clean checkout. Drift compares the live stack with the latest of them, and prod takes
 * only a commit that stage has run.
 */
import { HistoryEntry, HistoryRow, toRows } from "../rollback/history";

/** A deployment that cannot be checked; nothing was changed. */
export class DeliveryRefused extends Error {
  override name = "DeliveryRefused";
}

const deployedRows = (history: readonly HistoryEntry[]): HistoryRow[] =>
  toRows(history).filter((row) => row.kind === "update" && row.result === "succeeded" && row.commit !== undefined && !row.dirty);

/** The commit the stack runs: that of its newest successful update (a rollback included, which records its commit too). */
export function deployedCommit(stack: string, history: readonly HistoryEntry[]): string {
  const [latest] = deployedRows(history);
  if (!latest?.commit)
    throw new DeliveryRefused(`stack ${stack} has no successful update from a clean git checkout: nothing is known to be deployed`);
  return latest.commit;
}

/** Refuses unless `commit` is one that `stack` deployed successfully, so that nothing reaches prod that stage did not run. */
export function requireDeployed(stack: string, commit: string, history: readonly HistoryEntry[], forStack: string): void {
  const rows = deployedRows(history);
  if (rows.some((row) => row.commit === commit)) return;
  const latest = rows[0]?.commit;
  throw new DeliveryRefused(
    `${forStack} deploys only what ${stack} has run, and ${stack}'s history has no successful update of ${commit.slice(0, 12)}` +
      `${latest ? ` (it runs ${latest.slice(0, 12)})` : ""}: deploy this commit to ${stack} first.`,
  );
}
