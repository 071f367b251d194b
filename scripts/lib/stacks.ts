/**
 * The stacks a command may be given: the environments, and the tenancy shards this checkout has a file for. A name
 * outside them is refused before anything runs, with the names that would do.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../config/committed-stacks";
import { ENVIRONMENTS } from "../../config/sections/environment";
import { committedShards, environmentOf, parseShardStack } from "../../config/tenancy-shards";
import { given } from "./args";
import { UsageError } from "./command";

/** The environments on AWS, in the order the workflows deploy them (the hub first). */
export const AWS_ENVIRONMENTS = ["admin", "e2e", "stage", "prod"] as const;

export interface StackChoice {
  /** Which environments: all of them, or those on AWS (EKS, Dex, Velero). */
  readonly environments: "all" | "aws";
  /** Whether a tenancy shard of one of them will do. */
  readonly shards: boolean;
  /** What the command line calls it; `<stack>` unless said. */
  readonly name?: string;
}

/** The stack, or a refusal naming the stacks the command takes. */
export function requireStack(stack: string, choice: StackChoice, usage: string, projectDir = PROJECT_DIR): string {
  const environments: readonly string[] = choice.environments === "aws" ? AWS_ENVIRONMENTS : ENVIRONMENTS;
  const named = given(choice.name ?? "<stack>", stack);
  const shard = parseShardStack(stack);
  if (environments.includes(stack)) return stack;
  if (shard && choice.shards && environments.includes(shard.environment)) {
    if (fs.existsSync(path.join(projectDir, `Pulumi.${stack}.yaml`))) return stack;
    throw new UsageError(`${named}: this checkout has no Pulumi.${stack}.yaml; expected ${expectedStacks(choice, projectDir)}`, usage);
  }
  const unknownShard = /^(.+)-tenancy-[0-9]+$/.exec(stack);
  const why =
    shard && !choice.shards
      ? "a tenancy shard, which this command does not take"
      : unknownShard && !(ENVIRONMENTS as readonly string[]).includes(unknownShard[1])
        ? `a tenancy shard of ${unknownShard[1]}, which is not an environment`
        : (ENVIRONMENTS as readonly string[]).includes(environmentOf(stack))
          ? "not on AWS, where this command works"
          : "not a stack of this project";
  throw new UsageError(`${named} is ${why}: expected ${expectedStacks(choice, projectDir)}`, usage);
}

function expectedStacks(choice: StackChoice, projectDir: string): string {
  const environments: readonly string[] = choice.environments === "aws" ? AWS_ENVIRONMENTS : ENVIRONMENTS;
  if (!choice.shards) return `one of ${environments.join(", ")}`;
  const shards = environments.flatMap((environment) => committedShards(environment, projectDir));
  return (
    `one of ${environments.join(", ")}, or a tenancy shard <environment>-tenancy-<n> with its Pulumi.<stack>.yaml ` +
    `(${shards.length > 0 ? `here: ${shards.join(", ")}` : "this checkout has none"})`
  );
}
