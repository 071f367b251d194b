/**
 * `npm run deploy-plan -- save <stack> <dir>` before the approval gate, `npm run deploy-plan -- apply <stack>
 * <dir> <message>` after it (scripts/deploy-plan/plan.ts); `npm run --silent deploy-plan -- changes <dir>` prints
 * whether the saved plan changes anything (`true` or `false`). Uses the `pulumi` CLI on PATH with its current
 * backend login. Exit status: 0 done, 2 refused (nothing changed), 1 failed.
 */
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { applyPlan, FILES, PlanDeps, planChanges, savePlan } from "./deploy-plan/plan";
import { existingDirectory, expectPositionals, jsonFile, parseCommandLine, subcommand } from "./lib/args";
import { runCommand } from "./lib/command";
import { policyArgs } from "./lib/policy-pack";
import { errorLines, PreviewJson } from "./lib/preview-json";
import { checkPulumiSettings, pulumi } from "./lib/pulumi-cli";
import { checkShardFile } from "./lib/shard-files";
import { requireStack } from "./lib/stacks";

const execFileAsync = promisify(execFile);
const USAGE = "usage: npm run deploy-plan -- save <stack> <dir> | apply <stack> <dir> <message> | changes <dir>";
const PROJECT_DIR = process.cwd();

const deps: PlanDeps = {
  pulumi: async (args, options) => {
    const result = await pulumi(args, { stream: options?.stream, allowFailure: true });
    if (result.code !== 0) {
      const errors = [...errorLines(result.stdout), ...result.stderr.split("\n").filter((line) => line.startsWith("error:"))];
      throw new Error(
        `pulumi ${args[0]} exited with ${result.code}${errors.length > 0 ? `:\n  ${errors.join("\n  ")}` : " (its output is above)"}`,
      );
    }
    return result.stdout;
  },
  headCommit: async () => (await execFileAsync("git", ["rev-parse", "HEAD"])).stdout.trim(),
  now: () => new Date(),
  log: (line) => console.log(line),
};

/** The stack, and everything its preview or update reads, checked before the first pulumi command. */
function deployableStack(stack: string): string {
  requireStack(stack, { environments: "all", shards: true }, USAGE);
  checkShardFile(stack, USAGE, PROJECT_DIR);
  policyArgs(stack, PROJECT_DIR);
  checkPulumiSettings(stack, PROJECT_DIR, USAGE);
  return stack;
}

/** `save <stack> <dir>`: the plan, its record and the approver's summary, written to <dir>. */
async function save(argv: readonly string[]): Promise<void> {
  const [stack, dir] = expectPositionals(parseCommandLine(argv, {}, USAGE), ["<stack>", "<dir>"], USAGE);
  deployableStack(stack);
  await savePlan(stack, dir, PROJECT_DIR, deps);
}

/** `apply <stack> <dir> <message>`: the plan `save` wrote to <dir>, if nothing moved since. */
async function apply(argv: readonly string[]): Promise<void> {
  const [stack, dir, message] = expectPositionals(parseCommandLine(argv, {}, USAGE), ["<stack>", "<dir>", "<message>"], USAGE);
  existingDirectory("<dir>", dir, USAGE, "the directory `save` wrote");
  deployableStack(stack);
  await applyPlan(stack, dir, message, PROJECT_DIR, deps);
}

/** `changes <dir>`: `true` when applying the saved plan would change something. */
async function changes(argv: readonly string[]): Promise<void> {
  const [dir] = expectPositionals(parseCommandLine(argv, {}, USAGE), ["<dir>"], USAGE);
  existingDirectory("<dir>", dir, USAGE, "the directory `save` wrote");
  const preview = jsonFile(
    `<dir>/${FILES.preview}`,
    path.join(dir, FILES.preview),
    USAGE,
    `the preview \`save\` wrote there (${FILES.preview})`,
  );
  console.log(planChanges(preview as PreviewJson));
}

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<void>> = { save, apply, changes };

runCommand(async () => {
  const [command, argv] = subcommand(process.argv.slice(2), COMMANDS, USAGE);
  await command(argv);
});
