import * as pulumi from "@pulumi/pulumi";
import { loadConfig, loadShardConfig } from "../config/load";
import { parseShardStack, shardStackName } from "../config/tenancy-shards";
import { CHART_MIRROR_ENV, chartMirror, ChartMirrorError, missingArchives } from "../lib/chart-mirror";
import { CHARTS } from "../lib/versions";
import { ENVIRONMENTS, EnvironmentName } from "../config/sections/environment";
import { describeEnvironment, Environment } from "./environment";
import { tenancyShard } from "./tenancy-shard";

type Composition = (env: Environment) => Record<string, unknown> | Promise<Record<string, unknown>>;

// Loaded when chosen: a tenancy shard, run for every team change, needs none of them (nor @pulumi/aws), which
// saves it about 1.3 s of CPU per command (docs/scale.md).
const workload = (): Composition => (require("./workload") as typeof import("./workload")).workloadEnvironment;
const admin = (): Composition => (require("./admin") as typeof import("./admin")).adminEnvironment;
const local = (): Composition => (require("./local") as typeof import("./local")).localEnvironment;

/**
 * Which composition each stack runs. e2e, stage and prod run the same one (a workload cluster),
 * so that what differs between them is only what their config says.
 */
const COMPOSITIONS: Partial<Record<EnvironmentName, () => Composition>> = {
  e2e: workload,
  stage: workload,
  prod: workload,
  admin,
  local,
};

/**
 * The whole program: validate the stack's config, then build its environment, or a tenancy shard of one.
 * Returns the stack outputs.
 */
export function platform(stack: string): Record<string, unknown> | Promise<Record<string, unknown>> {
  if (parseShardStack(stack)) return tenancyShard(loadShardConfig(stack));
  if (!(ENVIRONMENTS as readonly string[]).includes(stack)) {
    throw new pulumi.RunError(
      `Unknown stack "${stack}": this program deploys the stacks ${ENVIRONMENTS.join(", ")}, and their tenancy shards ` +
        `${shardStackName("<stack>", 1)}, -2, … Select one with \`pulumi stack select <name>\` (each has its Pulumi.<name>.yaml).`,
    );
  }
  const env = describeEnvironment(loadConfig(stack));
  checkChartMirror(stack);
  const composition = COMPOSITIONS[stack as EnvironmentName];
  if (!composition) throw new pulumi.RunError(`The ${stack} environment has no composition in stacks/index.ts.`);
  return composition()(env);
}

/** A chart mirror that cannot serve the pinned charts stops the run before any resource is registered. */
function checkChartMirror(stack: string): void {
  try {
    const missing = missingArchives(chartMirror(), Object.values(CHARTS));
    if (missing.length > 0) {
      throw new pulumi.RunError(
        `Chart mirror for stack "${stack}": ${CHART_MIRROR_ENV} is a directory without the pinned archives ` +
          `(lib/versions.ts CHARTS): ${missing.join(", ")}; nothing was deployed`,
      );
    }
  } catch (error) {
    if (error instanceof ChartMirrorError) throw new pulumi.RunError(`Chart mirror for stack "${stack}": ${error.message}`);
    throw error;
  }
}
