/**
 * What a stack's history says was deployed: the git commit (`git.head`, recorded by the CLI) of each update
 * that succeeded from a clean checkout. Drift compares the live stack with the latest of them, and prod takes
 * only a commit that stage has run.
 *
 *   delivery -- deployed-commit <stack>                       prints the commit of the stack's newest successful update
 *   delivery -- require-deployed <stack> <commit> <for-stack> refuses unless <stack> ran <commit>
 *
 * The history is read with the `pulumi` CLI on PATH (without --show-secrets: no decryption needed).
 */
import { expectPositionals, given, parseCommandLine } from "../lib/args";
import { Refused, UsageError } from "../lib/command";
import { requirePulumiCli } from "../lib/pulumi-cli";
import { checkBackendUrl } from "../lib/settings";
import { HistoryEntry, stackHistory } from "../lib/stack-records";
import { requireStack } from "../lib/stacks";
import { HistoryRow, toRows } from "../rollback/history";

export const DEPLOYED_COMMIT_USAGE = "usage: npm run --silent delivery -- deployed-commit <stack>";
export const REQUIRE_DEPLOYED_USAGE = "usage: npm run --silent delivery -- require-deployed <stack> <commit> <for-stack>";

/** A full (SHA-1 or SHA-256) object name, as the workflows pass `$GITHUB_SHA`. */
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export async function deployedCommitCommand(argv: readonly string[]): Promise<void> {
  const [stack] = expectPositionals(parseCommandLine(argv, {}, DEPLOYED_COMMIT_USAGE), ["<stack>"], DEPLOYED_COMMIT_USAGE);
  requireStack(stack, { environments: "all", shards: true }, DEPLOYED_COMMIT_USAGE);
  readsHistory(DEPLOYED_COMMIT_USAGE);
  console.log(deployedCommit(stack, await stackHistory(stack)));
}

export async function requireDeployedCommand(argv: readonly string[]): Promise<void> {
  const line = parseCommandLine(argv, {}, REQUIRE_DEPLOYED_USAGE);
  const [stack, commit, forStack] = expectPositionals(line, ["<stack>", "<commit>", "<for-stack>"], REQUIRE_DEPLOYED_USAGE);
  requireStack(stack, { environments: "all", shards: true }, REQUIRE_DEPLOYED_USAGE);
  if (!COMMIT.test(commit))
    throw new UsageError(`${given("<commit>", commit)}: expected a full commit id (40 hexadecimal digits)`, REQUIRE_DEPLOYED_USAGE);
  requireStack(forStack, { environments: "all", shards: true }, REQUIRE_DEPLOYED_USAGE);
  readsHistory(REQUIRE_DEPLOYED_USAGE);
  requireDeployed(stack, commit, await stackHistory(stack), forStack);
  console.log(`${stack} has run ${commit.slice(0, 12)}.`);
}

/** The history needs the CLI and a backend, not the secrets provider. */
function readsHistory(usage: string): void {
  requirePulumiCli();
  checkBackendUrl(process.env, usage);
}

const deployedRows = (history: readonly HistoryEntry[]): HistoryRow[] =>
  toRows(history).filter((row) => row.kind === "update" && row.result === "succeeded" && row.commit !== undefined && !row.dirty);

/** The commit the stack runs: that of its newest successful update (a rollback included, which records its commit too). */
export function deployedCommit(stack: string, history: readonly HistoryEntry[]): string {
  const [latest] = deployedRows(history);
  if (!latest?.commit)
    throw new Refused(`stack ${stack} has no successful update from a clean git checkout: nothing is known to be deployed`);
  return latest.commit;
}

/** Refuses unless `commit` is one that `stack` deployed successfully, so that nothing reaches prod that stage did not run. */
export function requireDeployed(stack: string, commit: string, history: readonly HistoryEntry[], forStack: string): void {
  const rows = deployedRows(history);
  if (rows.some((row) => row.commit === commit)) return;
  const latest = rows[0]?.commit;
  throw new Refused(
    `${forStack} deploys only what ${stack} has run, and ${stack}'s history has no successful update of ${commit.slice(0, 12)}` +
      `${latest ? ` (it runs ${latest.slice(0, 12)})` : ""}: deploy this commit to ${stack} first.`,
  );
}
