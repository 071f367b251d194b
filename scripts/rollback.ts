/**
 * `npm run rollback -- <stack> [--list | --to <version>] [--yes]`: lists a stack's history, or re-deploys the
 * program and config of an earlier update (its recorded git commit, checked out in a temporary worktree)
 * after a preview and a confirmation. Uses the `pulumi` CLI on PATH and its current backend login.
 * See scripts/rollback/run.ts for the steps and scripts/rollback/history.ts for what is refused and why.
 */
import { parseArgs, USAGE, UsageError } from "./rollback/args";
import { errorSummary } from "./rollback/format";
import { realDeps } from "./rollback/io";
import { RollbackRefused } from "./rollback/refusals";
import { listHistory, rollback } from "./rollback/run";

/** Exit status 2 always means that nothing was changed. */
const NOTHING_CHANGED = 2;

async function main(argv: string[]): Promise<number> {
  const command = parseArgs(argv);
  if (command.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  // npm runs scripts from the package root, which is the Pulumi project directory.
  const deps = realDeps(process.cwd());
  if (command.kind === "list") {
    await listHistory(command.stack, process.cwd(), deps);
    return 0;
  }
  return (await rollback(command, process.cwd(), deps)) === "rolled-back" ? 0 : NOTHING_CHANGED;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: Error) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(NOTHING_CHANGED);
    }
    if (error instanceof RollbackRefused) {
      console.error(`\nRollback refused: ${error.message}`);
      process.exit(NOTHING_CHANGED);
    }
    console.error(`\n${errorSummary(error)}`);
    process.exit(1);
  },
);
