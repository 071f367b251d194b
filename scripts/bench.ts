/**
 * `npm run bench`: how long each environment's program takes to evaluate under the mock engine, and how
 * that grows with the number of teams: up to 100 in the environment's stack, beyond that in tenancy shards
 * (config/tenancy-shards.ts), each shard a program run of its own, as each is a stack of its own.
 * A benchmark to read, not a timed test: nothing here can fail a build.
 */
import { ENVIRONMENTS } from "../config/sections/environment";
import { RunOptions, runStack, StackConfig } from "../mock-engine";
import { formatTable, teamLayout } from "./bench/teams";
import { expectPositionals, parseCommandLine } from "./lib/args";
import { runCommand } from "./lib/command";
import { CHART_MIRROR_ENV } from "../lib/chart-mirror";
import { chartMirrorSetting } from "./lib/settings";
import { requireStack } from "./lib/stacks";

interface Row {
  readonly label: string;
  readonly ms: number;
  /** CPU time of this process (user + system): what other work on a shared machine does not inflate. */
  readonly cpuMs: number;
  readonly resources: number;
}

async function measure(label: string, stack: string, options: RunOptions = {}): Promise<Row & { outputs: Record<string, unknown> }> {
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const run = await runStack(stack, options);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return { label, ms, cpuMs: (cpu.user + cpu.system) / 1000, resources: run.resources.length, outputs: run.outputs };
}

/** Every stack of the environment with `count` teams: the environment's, then its shards (reading its outputs). */
async function measureTeams(environment: string, count: number): Promise<Row[]> {
  const [own, ...shards] = teamLayout(environment, count);
  const setTeams = (teams: object[]) => (c: StackConfig) => (c["platform:teams"] = teams);
  const first = await measure(`${environment} + ${count} teams${shards.length ? `: its own stack` : ""}`, environment, {
    configure: setTeams(own.teams),
  });
  const rows: Row[] = [first];
  for (const shard of shards) {
    rows.push(
      await measure(`  ${shard.stack} (${shard.teams.length} teams)`, shard.stack, {
        configure: setTeams(shard.teams),
        stackOutputs: { [environment]: first.outputs },
      }),
    );
  }
  if (shards.length === 0) return rows;
  const total = rows.reduce((sum, r) => ({ ms: sum.ms + r.ms, cpuMs: sum.cpuMs + r.cpuMs, resources: sum.resources + r.resources }), {
    ms: 0,
    cpuMs: 0,
    resources: 0,
  });
  return [...rows, { label: `${environment} + ${count} teams: every stack`, ...total }];
}

function table(rows: Row[]): string {
  const body = rows.map((r) => [r.label, r.ms.toFixed(0), r.cpuMs.toFixed(0), String(r.resources), (r.cpuMs / r.resources).toFixed(3)]);
  return formatTable(["case", "wall ms", "cpu ms", "resources", "cpu ms/resource"], body);
}

const USAGE = "usage: [BENCH_TEAMS_STACK=<environment>] npm run bench   (no arguments; the teams' environment defaults to prod)";

async function main(argv: string[]): Promise<void> {
  expectPositionals(parseCommandLine(argv, {}, USAGE), [], USAGE);
  const teamsStack = requireStack(
    process.env.BENCH_TEAMS_STACK || "prod",
    { environments: "all", shards: false, name: "BENCH_TEAMS_STACK" },
    USAGE,
  );
  chartMirrorSetting(process.env[CHART_MIRROR_ENV], USAGE);
  await measure("warm-up", "local");
  const rows: Row[] = [];
  for (const stack of ENVIRONMENTS) rows.push(await measure(stack, stack));
  for (const count of [10, 100, 1000]) rows.push(...(await measureTeams(teamsStack, count)));
  console.log(table(rows));
}

runCommand(() => main(process.argv.slice(2)));
