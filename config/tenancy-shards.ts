/**
 * Tenancy shards: stacks named `<environment>-tenancy-<n>` that carry some of an environment's teams on that
 * environment's cluster. Every preview and update diffs every object of its stack, so a stack of a bounded number of
 * teams keeps adding a team cheap whatever the environment's total (docs/scale.md). The environment's own stack
 * keeps the cluster and everything cluster-wide; a team lives in exactly one stack of its environment, written
 * in that stack's file (not derived from a hash of its name, which would move teams whenever a shard is added).
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { committedStackConfig, PROJECT_DIR } from "./committed-stacks";
import type { Violation } from "./violation";
import { ENVIRONMENTS, EnvironmentName } from "./sections/environment";
import { teamNamespaces, teamsSection } from "./sections/tenancy";

/** Measured in docs/scale.md: about 100 teams (700 objects) keep a stack's preview and update within tens of seconds. */
export const MAX_TEAMS_PER_STACK = 100;

const SHARD_STACK = new RegExp(`^(${ENVIRONMENTS.join("|")})-tenancy-([1-9][0-9]?)$`);

/** A shard's stack file holds its teams only: everything else comes from its environment's stack. */
export const shardSchema = z.strictObject({ teams: teamsSection });
export type ShardConfig = z.infer<typeof shardSchema>;

export interface ShardName {
  readonly environment: EnvironmentName;
  readonly index: number;
}

/** `prod-tenancy-3` → prod, 3; undefined for any other stack name. */
export function parseShardStack(stack: string): ShardName | undefined {
  const match = SHARD_STACK.exec(stack);
  return match ? { environment: match[1] as EnvironmentName, index: Number(match[2]) } : undefined;
}

export function shardStackName(environment: string, index: number): string {
  return `${environment}-tenancy-${index}`;
}

/** The environment's shards that have a stack file in this checkout, in index order. */
export function committedShards(environment: string, projectDir = PROJECT_DIR): string[] {
  return fs
    .readdirSync(projectDir)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined && parseShardStack(stack)?.environment === environment)
    .sort((a, b) => parseShardStack(a)!.index - parseShardStack(b)!.index);
}

interface TeamLike {
  readonly name: string;
  readonly namespaces?: readonly string[];
}

/** The environment's stacks with a file in this checkout: its own, then its shards. */
export function stacksOfEnvironment(environment: string, projectDir = PROJECT_DIR): string[] {
  return [environment, ...committedShards(environment, projectDir)];
}

/**
 * Which stack of the environment lists each team and each team namespace, as committed, leaving out `stack`: the
 * one map of owners the config rules and the deploy's plan both read.
 */
export function ownersElsewhere(
  environment: string,
  stack: string,
  projectDir = PROJECT_DIR,
): { teams: Map<string, string>; namespaces: Map<string, string> } {
  const owners = { teams: new Map<string, string>(), namespaces: new Map<string, string>() };
  for (const other of stacksOfEnvironment(environment, projectDir)) {
    if (other === stack) continue;
    const committed = committedStackConfig(other, projectDir)?.["platform:teams"];
    if (!Array.isArray(committed)) continue;
    for (const team of committed as TeamLike[]) {
      if (typeof team?.name !== "string") continue;
      owners.teams.set(team.name, other);
      for (const namespace of teamNamespaces(team)) owners.namespaces.set(namespace, other);
    }
  }
  return owners;
}

/**
 * A stack's teams against those of every other stack of its environment (its own stack and its shards, as
 * committed): a team, or a namespace, in two stacks would be two owners of one object.
 */
export function teamsOwnedElsewhere(environment: string, stack: string, teams: readonly TeamLike[], projectDir = PROJECT_DIR): Violation[] {
  const owners = ownersElsewhere(environment, stack, projectDir);
  const violations: Violation[] = [];
  teams.forEach((team, t) => {
    const elsewhere = owners.teams.get(team.name);
    if (elsewhere) {
      violations.push({
        path: `teams[${t}].name`,
        expected: `a team not in another stack of ${environment} ("${team.name}" is in Pulumi.${elsewhere}.yaml)`,
      });
      return;
    }
    teamNamespaces(team).forEach((namespace, n) => {
      const owner = owners.namespaces.get(namespace);
      const path = team.namespaces ? `teams[${t}].namespaces[${n}]` : `teams[${t}].name`;
      if (owner)
        violations.push({
          path,
          expected: `a namespace not owned by a team of another stack of ${environment} ("${namespace}" is in Pulumi.${owner}.yaml)`,
        });
    });
  });
  return violations;
}

/** One stack carries at most MAX_TEAMS_PER_STACK teams. */
export function teamsFitOneStack(environment: string, teams: readonly unknown[]): Violation[] {
  if (teams.length <= MAX_TEAMS_PER_STACK) return [];
  return [
    {
      path: "teams",
      expected:
        `at most ${MAX_TEAMS_PER_STACK} teams per stack (got ${teams.length}): put the others in a tenancy shard, ` +
        `Pulumi.${shardStackName(environment, 1)}.yaml and onwards, and move them with \`npm run move-teams\` (docs/scale.md)`,
    },
  ];
}

/**
 * The environment a stack belongs to: a shard's, or the stack itself. A shard is deployed with its environment's
 * roles, policy config and GitHub environment (whose OIDC subject its deploy role trusts).
 */
export function environmentOf(stack: string): string {
  return parseShardStack(stack)?.environment ?? stack;
}

/** The policy pack's settings a stack is previewed and deployed with, relative to the project: its environment's. */
export function policyConfigFile(stack: string): string {
  return path.join("policy", "config", `${environmentOf(stack)}.json`);
}
