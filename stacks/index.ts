import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "../config/load";
import { ENVIRONMENTS, EnvironmentName } from "../config/sections/environment";
import { describeEnvironment, Environment } from "./environment";
import { adminEnvironment } from "./admin";
import { localEnvironment } from "./local";
import { workloadEnvironment } from "./workload";

type Composition = (env: Environment) => Record<string, unknown>;

/**
 * Which composition each stack runs. e2e, stage and prod run the same one (a workload cluster),
 * so that what differs between them is only what their config says.
 */
const COMPOSITIONS: Partial<Record<EnvironmentName, Composition>> = {
  e2e: workloadEnvironment,
  stage: workloadEnvironment,
  prod: workloadEnvironment,
  admin: adminEnvironment,
  local: localEnvironment,
};

/** The whole program: validate the stack's config, then build its environment. Returns the stack outputs. */
export function platform(stack: string): Record<string, unknown> {
  if (!(ENVIRONMENTS as readonly string[]).includes(stack)) {
    throw new pulumi.RunError(
      `Unknown stack "${stack}": this program deploys the stacks ${ENVIRONMENTS.join(", ")}. ` +
        `Select one with \`pulumi stack select <name>\` (each has its Pulumi.<name>.yaml).`,
    );
  }
  const env = describeEnvironment(loadConfig(stack));
  const composition = COMPOSITIONS[stack as EnvironmentName];
  if (!composition) throw new pulumi.RunError(`The ${stack} environment has no composition in stacks/index.ts.`);
  return composition(env);
}
