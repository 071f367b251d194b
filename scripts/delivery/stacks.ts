/** `delivery -- stacks`: the stacks the workflows deploy, as job matrices. */
import { committedShards } from "../../config/tenancy-shards";
import { expectPositionals, parseCommandLine } from "../lib/args";
import { AWS_ENVIRONMENTS } from "../lib/stacks";

export const STACKS_USAGE = "usage: npm run --silent delivery -- stacks";

type Matrix = { include: { stack: string; environment: string }[] };

export function stacksCommand(argv: readonly string[]): void {
  expectPositionals(parseCommandLine(argv, {}, STACKS_USAGE), [], STACKS_USAGE);
  console.log(stackMatrices().join("\n"));
}

/**
 * Job matrices (`strategy.matrix`) of stacks and the environment each deploys as, as `$GITHUB_OUTPUT` lines:
 * `stacks=` every AWS environment in the order deploy.yml deploys them, each followed by its committed tenancy
 * shards; and per environment `<environment>=` its shards alone with `<environment>-shards=` their number (a job
 * with an empty matrix fails, so callers skip it on 0).
 */
export function stackMatrices(projectDir?: string): string[] {
  const shards = (environment: string): Matrix => ({
    include: committedShards(environment, projectDir).map((stack) => ({ stack, environment })),
  });
  const all: Matrix = {
    include: AWS_ENVIRONMENTS.flatMap((environment) => [{ stack: environment, environment }, ...shards(environment).include]),
  };
  return [
    `stacks=${JSON.stringify(all)}`,
    ...AWS_ENVIRONMENTS.flatMap((environment) => [
      `${environment}=${JSON.stringify(shards(environment))}`,
      `${environment}-shards=${shards(environment).include.length}`,
    ]),
  ];
}
