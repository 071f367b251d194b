import { runStack } from "../test/harness";
import { syntheticTeams } from "../scripts/bench/teams";
(async () => {
  const n = Number(process.env.N ?? 1000);
  const stack = process.env.STACK ?? "local";
  await runStack("local");
  const t = Date.now(); const c0 = process.cpuUsage();
  const run = await runStack(stack, { configure: (c) => (c["platform:teams"] = syntheticTeams(n)) });
  const c = process.cpuUsage(c0); console.log(stack, n, run.resources.length, Date.now() - t, "ms wall", Math.round((c.user + c.system) / 1000), "ms cpu");
  process.exit(0);
})();
