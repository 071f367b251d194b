/**
 * `npm run rollback -- <stack> [--list | --to <version>] [--yes]`: lists a stack's history, or re-deploys the
 * program and config of an earlier update (its recorded git commit, checked out in a temporary worktree)
 * after a preview with the policy pack and a confirmation. Uses the `pulumi` CLI on PATH and its current
 * backend login. See scripts/rollback/run.ts for the steps, scripts/rollback/target.ts for the version chosen
 * without --to, and scripts/rollback/interrupt.ts for Ctrl-C.
 */
import { parseArgs, USAGE, UsageError } from "./rollback/args";
import { errorSummary } from "./rollback/format";
import { Interrupt } from "./rollback/interrupt";
import { realDeps } from "./rollback/io";
import { RollbackCancelled, RollbackRefused } from "./rollback/refusals";
import { listHistory, rollback } from "./rollback/run";

/** Exit status 2 always means that nothing was changed. */
const NOTHING_CHANGED = 2;

async function main(argv: string[]): Promise<number> {
  const command = parseArgs(argv);
  if (command.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  const interrupt = new Interrupt((line) => console.error(line));
  // Handled, so that the tool outlives Ctrl-C until the engine has released the lock and the worktree is removed.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => interrupt.receive(signal));
  // npm runs scripts from the package root, which is the Pulumi project directory.
  const deps = realDeps(process.cwd(), interrupt);
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
    if (error instanceof RollbackCancelled) {
      console.error(`\nRollback ${error.message}`);
      process.exit(NOTHING_CHANGED);
    }
    console.error(`\n${errorSummary(error)}`);
    process.exit(1);
  },
);
