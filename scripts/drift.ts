/**
 * `npm run --silent drift -- <stack> [--program-dir <dir>]`: the nightly drift check (scripts/drift/check.ts), as
 * .github/workflows/drift.yml runs it with the stack's preview role: the program and the policy pack of `<dir>` (a
 * worktree of the commit the stack runs; default, this checkout). Uses the `pulumi` CLI on PATH with its current
 * backend login. Prints the report; exit status 0 no drift, 3 drift found, 1 the check could not run, 2 refused.
 */
import { checkDrift } from "./drift/check";
import { existingDirectory, expectPositionals, parseCommandLine } from "./lib/args";
import { EXIT, runCommand } from "./lib/command";
import { policyArgs } from "./lib/policy-pack";
import { checkPulumiSettings, pulumi } from "./lib/pulumi-cli";
import { requireStack } from "./lib/stacks";

const USAGE = "usage: npm run --silent drift -- <stack> [--program-dir <dir>]";

runCommand(async () => {
  const line = parseCommandLine(process.argv.slice(2), { "--program-dir": { value: "<dir>" } }, USAGE);
  const [stack] = expectPositionals(line, ["<stack>"], USAGE);
  const programDir = existingDirectory(
    "--program-dir",
    line.value("--program-dir") ?? process.cwd(),
    USAGE,
    "a checkout of the commit the stack runs",
  );
  requireStack(stack, { environments: "all", shards: true }, USAGE, programDir);
  const policy = policyArgs(stack, programDir);
  checkPulumiSettings(stack, programDir, USAGE);

  const result = await checkDrift(stack, policy, { pulumi: (args) => pulumi(args, { allowFailure: true, cwd: programDir }) });
  console.log(result.report);
  return { clean: EXIT.done, drift: EXIT.found, failed: EXIT.failed }[result.status];
});
