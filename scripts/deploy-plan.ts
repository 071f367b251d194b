/**
 * `npm run deploy-plan -- save <stack> <dir>` before the approval gate, `npm run deploy-plan -- apply <stack>
 * <dir> <message>` after it (scripts/deploy-plan/plan.ts); `npm run --silent deploy-plan -- changes <dir>` prints
 * whether the saved plan changes anything (`true` or `false`). Uses the `pulumi` CLI on PATH with its current
 * backend login. Exit status: 0 done, 2 refused (nothing changed), 1 failed.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { applyPlan, FILES, PlanDeps, PlanRefused, planChanges, savePlan } from "./deploy-plan/plan";
import { runCommand } from "./lib/command";
import { pulumi } from "./lib/pulumi-cli";
import { errorLines } from "./lib/preview-json";

const execFileAsync = promisify(execFile);
const USAGE = "usage: npm run deploy-plan -- save <stack> <dir> | apply <stack> <dir> <message> | changes <dir>";

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

async function main([command, ...args]: string[]): Promise<void> {
  const [stack, dir, message] = args;
  if (command === "save" && args.length === 2) await savePlan(stack, dir, process.cwd(), deps);
  else if (command === "apply" && args.length === 3) await applyPlan(stack, dir, message, process.cwd(), deps);
  else if (command === "changes" && args.length === 1)
    console.log(planChanges(JSON.parse(fs.readFileSync(path.join(args[0], FILES.preview), "utf8"))));
  else throw new PlanRefused(USAGE);
}

runCommand(() => main(process.argv.slice(2)));
