/**
 * `npm run bench`: how long each environment's program takes to evaluate under the mock engine, and how
 * that grows with the number of teams. A benchmark to read, not a timed test: nothing here can fail a build.
 */
import { ENVIRONMENTS } from "../config/sections/environment";
import { runStack, StackConfig } from "../test/harness";

/** Synthetic teams shaped like a real one: one namespace, all three role groups. */
function syntheticTeams(count: number): StackConfig[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `team-${i}`,
    owner: `lead-${i}@example.com`,
    costCentre: `cc-${1000 + i}`,
    groups: { admins: [`team-${i}-leads`], developers: [`team-${i}`], viewers: [`team-${i}-support`] },
  }));
}

interface Row {
  readonly label: string;
  readonly ms: number;
  readonly resources: number;
}

async function measure(label: string, stack: string, configure?: (c: StackConfig) => void): Promise<Row> {
  const started = process.hrtime.bigint();
  const run = await runStack(stack, { configure });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { label, ms, resources: run.resources.length };
}

function table(rows: Row[]): string {
  const header = ["case", "wall ms", "resources", "ms/resource"];
  const body = rows.map((r) => [r.label, r.ms.toFixed(0), String(r.resources), (r.ms / r.resources).toFixed(3)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(format)].join("\n");
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
