/**
 * `npm run --silent drift -- <stack> [--program-dir <dir>]`: the nightly drift check (scripts/drift/check.ts), as
 * .github/workflows/drift.yml runs it with the stack's preview role: the program and the policy pack of `<dir>` (a
 * worktree of the commit the stack runs; default, this checkout). Uses the `pulumi` CLI on PATH with its current
 * backend login. Prints the report; exit status 0 no drift, 3 drift found, 1 the check could not run, 2 refused.
 */
import * as fs from "fs";
import { parseShardStack } from "../config/tenancy-shards";
import { ENVIRONMENTS } from "../config/sections/environment";
import { policyArgs } from "./deploy-plan/plan";
import { checkDrift } from "./drift/check";
import { EXIT, Refused, runCommand } from "./lib/command";
import { pulumi } from "./lib/pulumi-cli";

const USAGE = "usage: npm run --silent drift -- <stack> [--program-dir <dir>]";
export const DRIFT_FOUND = 3;

runCommand(async () => {
  const [stack, ...rest] = process.argv.slice(2);
  const programDir = rest.length === 2 && rest[0] === "--program-dir" ? rest[1] : rest.length === 0 ? process.cwd() : undefined;
  if (!stack || stack.startsWith("-") || programDir === undefined) throw new Refused(USAGE);
  if (!fs.existsSync(programDir))
    throw new Refused(`--program-dir ${programDir} does not exist: expected a checkout of the commit the stack runs. ${USAGE}`);
  if (!(ENVIRONMENTS as readonly string[]).includes(stack) && !parseShardStack(stack)) {
    throw new Refused(
      `unknown stack "${stack}": expected one of ${ENVIRONMENTS.join(", ")} or a tenancy shard <environment>-tenancy-<n>. ${USAGE}`,
    );
  }
  const result = await checkDrift(stack, policyArgs(stack, programDir), {
    pulumi: (args) => pulumi(args, { allowFailure: true, cwd: programDir }),
  });
  console.log(result.report);
  return { clean: EXIT.done, drift: DRIFT_FOUND, failed: EXIT.failed }[result.status];
});
