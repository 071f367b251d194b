/**
 * `npm run bench`: how long each environment's program takes to evaluate under the mock engine, and how
 * that grows with the number of teams. A benchmark to read, not a timed test: nothing here can fail a build.
 */
import { ENVIRONMENTS } from "../config/sections/environment";
import { runStack, StackConfig } from "../test/harness";
import { formatTable, syntheticTeams } from "./bench/teams";

interface Row {
  readonly label: string;
  readonly ms: number;
  /** CPU time of this process (user + system): what other work on a shared machine does not inflate. */
  readonly cpuMs: number;
  readonly resources: number;
}

async function measure(label: string, stack: string, configure?: (c: StackConfig) => void): Promise<Row> {
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const run = await runStack(stack, { configure });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return { label, ms, cpuMs: (cpu.user + cpu.system) / 1000, resources: run.resources.length };
}

function table(rows: Row[]): string {
  const body = rows.map((r) => [r.label, r.ms.toFixed(0), r.cpuMs.toFixed(0), String(r.resources), (r.cpuMs / r.resources).toFixed(3)]);
  return formatTable(["case", "wall ms", "cpu ms", "resources", "cpu ms/resource"], body);
}

async function main(): Promise<void> {
  const teamsStack = process.env.BENCH_TEAMS_STACK ?? "prod";
  await measure("warm-up", "local");
  const rows: Row[] = [];
  for (const stack of ENVIRONMENTS) rows.push(await measure(stack, stack));
  for (const count of [10, 100, 1000]) {
    rows.push(await measure(`${teamsStack} + ${count} teams`, teamsStack, (c) => (c["platform:teams"] = syntheticTeams(count))));
  }
  console.log(table(rows));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
