import { committedShards } from "../../config/tenancy-shards";

/** The environments the workflows deploy, in the order deploy.yml deploys them. */
const AWS_ENVIRONMENTS = ["admin", "e2e", "stage", "prod"];

type Matrix = { include: { stack: string; environment: string }[] };

/**
 * Job matrices (`strategy.matrix`) of stacks and the environment each deploys as, as `$GITHUB_OUTPUT` lines:
 * `stacks=` every AWS environment, each followed by its committed tenancy shards; and per environment
 * `<environment>=` its shards alone with `<environment>-shards=` their number (a job with an empty matrix fails,
 * so callers skip it on 0).
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
