import { shardStackName } from "../../config/tenancy-shards";

/** Synthetic teams for the benchmarks, shaped like a real one: one namespace, all three role groups. */
export interface SyntheticTeam {
  readonly name: string;
  readonly owner: string;
  readonly costCentre: string;
  readonly groups: { admins: string[]; developers: string[]; viewers: string[] };
}

export function syntheticTeam(index: number): SyntheticTeam {
  return {
    name: `team-${index}`,
    owner: `lead-${index}@example.com`,
    costCentre: `cc-${1000 + index}`,
    groups: { admins: [`team-${index}-leads`], developers: [`team-${index}`], viewers: [`team-${index}-support`] },
  };
}

export function syntheticTeams(count: number): SyntheticTeam[] {
  return Array.from({ length: count }, (_, i) => syntheticTeam(i));
}

/** A fixed-width table: the first column left-aligned, the others right-aligned. */
export function formatTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const format = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(format)].join("\n");
}

/** Teams per stack in the benchmarks: below MAX_TEAMS_PER_STACK, so that a team can be added to any of them. */
export const BENCH_TEAMS_PER_SHARD = 90;

export interface StackTeams {
  readonly stack: string;
  readonly teams: SyntheticTeam[];
}

/**
 * Where `count` synthetic teams live: all in the environment's stack up to `perShard` (below MAX_TEAMS_PER_STACK,
 * leaving room for the team a benchmark adds), else none there and the rest in tenancy shards of `perShard`
 * teams. The environment's stack comes first: its shards read its outputs.
 */
export function teamLayout(environment: string, count: number, perShard = BENCH_TEAMS_PER_SHARD): StackTeams[] {
  const teams = syntheticTeams(count);
  if (count <= perShard) return [{ stack: environment, teams }];
  const shards = Array.from({ length: Math.ceil(count / perShard) }, (_, i) => ({
    stack: shardStackName(environment, i + 1),
    teams: teams.slice(i * perShard, (i + 1) * perShard),
  }));
  return [{ stack: environment, teams: [] }, ...shards];
}
