/**
 * `npm run deploy-plan -- save <stack> <dir>` before the approval gate, `npm run deploy-plan -- apply <stack>
 * <dir> <message>` after it (scripts/deploy-plan/plan.ts); `npm run --silent deploy-plan -- changes <dir>` prints
 * whether the saved plan changes anything (`true` or `false`). Uses the `pulumi` CLI on PATH with its current
 * backend login. Exit status: 0 done, 2 refused (nothing changed), 1 failed.
 */
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { applyPlan, FILES, PlanDeps, PlanRefused, planChanges, savePlan } from "./deploy-plan/plan";

const execFileAsync = promisify(execFile);
const USAGE = "usage: npm run deploy-plan -- save <stack> <dir> | apply <stack> <dir> <message> | changes <dir>";

const deps: PlanDeps = {
  pulumi: async (args, options) => {
    // `up --plan` is hidden unless PULUMI_EXPERIMENTAL is set (pkg/cmd/pulumi/operations/up.go), though it runs without.
    const env = { ...process.env, PULUMI_EXPERIMENTAL: "true" };
    const argv = [...args, "--non-interactive"];
    if (options?.stream) {
      return new Promise((resolve, reject) => {
        const child = spawn("pulumi", argv, { env, stdio: ["ignore", "inherit", "inherit"] });
        child.on("error", reject);
        child.on("exit", (code) =>
          code === 0 ? resolve("") : reject(new Error(`pulumi ${args[0]} exited with ${code} (its output is above)`)),
        );
      });
    }
    const child = execFileAsync("pulumi", argv, { env, maxBuffer: 512 * 1024 * 1024 });
    // Progress and errors reach the job log as they happen; stdout is the command's result.
    child.child.stderr?.pipe(process.stderr);
    return (await child).stdout;
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

main(process.argv.slice(2)).catch((error: Error) => {
  const refused = error instanceof PlanRefused;
  console.error(refused ? `Refused: ${error.message}` : error.message);
  process.exit(refused ? 2 : 1);
});
