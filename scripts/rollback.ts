/**
 * `npm run rollback -- <stack> [--list | --to <version>] [--yes]`: lists a stack's history, or re-deploys the
 * program and config of an earlier update (its recorded git commit, checked out in a temporary worktree)
 * after a preview with the policy pack and a confirmation. Uses the `pulumi` CLI on PATH and its current
 * backend login. See scripts/rollback/run.ts for the steps, scripts/rollback/target.ts for the version chosen
 * without --to, and scripts/rollback/interrupt.ts for Ctrl-C. Exit status 2 always means that nothing was changed.
 */
import { EXIT, runCommand } from "./lib/command";
import { checkPulumiSettings } from "./lib/pulumi-cli";
import { parseArgs, USAGE } from "./rollback/args";
import { errorSummary } from "./rollback/format";
import { Interrupt } from "./rollback/interrupt";
import { realDeps } from "./rollback/io";
import { listHistory, rollback } from "./rollback/run";

// npm runs scripts from the package root, which is the Pulumi project directory.
const PROJECT_DIR = process.cwd();

async function main(argv: string[]): Promise<number> {
  const command = parseArgs(argv, PROJECT_DIR);
  if (command.kind === "help") {
    console.log(USAGE);
    return EXIT.done;
  }
  checkPulumiSettings(command.stack.split("/").pop()!, PROJECT_DIR, USAGE);
  const interrupt = new Interrupt((line) => console.error(line));
  // Handled, so that the tool outlives Ctrl-C until the engine has released the lock and the worktree is removed.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => interrupt.receive(signal));
  const deps = realDeps(PROJECT_DIR, interrupt);
  if (command.kind === "list") {
    await listHistory(command.stack, PROJECT_DIR, deps);
    return EXIT.done;
  }
  // Declined: nothing was changed.
  return (await rollback(command, PROJECT_DIR, deps)) === "rolled-back" ? EXIT.done : EXIT.refused;
}

runCommand(() => main(process.argv.slice(2)), { describeFailure: (error) => `\n${errorSummary(error)}` });
