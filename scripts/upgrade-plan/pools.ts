/**
 * What an upgrade means for the stack's blue/green node pools: their node groups stay at their generation's minor
 * when the control plane moves, and follow in a swap of their own, three reviewed changes (docs/upgrades.md).
 */
import { GENERATION_LABEL } from "../../components/cluster/node-generations";
import { minorOf } from "../../config/rules-upgrades";
import { NODE_GENERATIONS, NodeGenerationName } from "../../config/sections/cluster";
import { StackConfig } from "../../mock-engine";

interface BlueGreenPool {
  readonly name: string;
  readonly generations: Partial<Record<NodeGenerationName, string>>;
  readonly activeGeneration: NodeGenerationName;
  /** Its key path, as `pulumi config set --path` takes it. */
  readonly path: string;
}

const blueGreenPools = (config: StackConfig): BlueGreenPool[] =>
  (config["platform:cluster"]?.nodePools ?? [])
    .map((pool: Omit<BlueGreenPool, "path">, i: number) => ({ ...pool, path: `platform:cluster.nodePools[${i}]` }))
    .filter((pool: { upgradeStrategy?: string }) => pool.upgradeStrategy === "blueGreen");

const yaml = (generations: Partial<Record<NodeGenerationName, string>>) =>
  `{ ${Object.entries(generations)
    .map(([name, version]) => `${name}: "${version}"`)
    .join(", ")} }`;

/** Generations the control plane's move to `target` would leave more than one minor behind (config rule nodeGenerationsWithinSkew). */
export function swapsStillOpen(config: StackConfig, target: string): string[] {
  return blueGreenPools(config).flatMap((pool) =>
    NODE_GENERATIONS.filter((g) => pool.generations[g] !== undefined && minorOf(target) - minorOf(pool.generations[g]!) > 1).map(
      (g) =>
        `pool ${pool.name}: generation ${g} runs ${pool.generations[g]}, more than one minor behind ${target}: finish its swap first (config rule nodeGenerationsWithinSkew)`,
    ),
  );
}

/** The swap of each blue/green pool to `target`: the config changes, and the drain an operator runs between them. */
export function swapSteps(config: StackConfig, target: string): string[] {
  return blueGreenPools(config).flatMap((pool) => {
    const active = pool.activeGeneration;
    const other = NODE_GENERATIONS.find((g) => g !== active)!;
    const retire = (from: NodeGenerationName, to: NodeGenerationName, version: string, step: number) => [
      `    ${step}. drain ${from} through the PodDisruptionBudgets (its minimum is 0: the cluster autoscaler may remove underused ${from} nodes first):`,
      `       kubectl drain --selector ${GENERATION_LABEL}=${pool.name}-${from} --ignore-daemonsets --delete-emptydir-data --timeout 30m`,
      `    ${step + 1}. ${pool.path}.generations: ${yaml({ [to]: version })}   (${from}'s node groups are deleted)`,
    ];
    const activeVersion = pool.generations[active]!;
    const retiring = pool.generations[other];
    if (activeVersion === target) {
      return retiring === undefined
        ? [`  ${pool.name}: ${active} runs ${target} already`]
        : [`  ${pool.name}: ${active} runs ${target}; ${other} is retiring:`, ...retire(other, active, target, 1)];
    }
    // A swap still under way is finished first: a pool has two generations at most.
    const unfinished = retiring === undefined ? [] : retire(other, active, activeVersion, 1);
    const step = unfinished.length ? 3 : 1;
    return [
      `  ${pool.name}: ${active} runs ${activeVersion} and stays there while the control plane moves; then, each a pull request of its own:`,
      ...(unfinished.length ? [`    (${other}, at ${retiring}, is still retiring: its swap is finished first)`, ...unfinished] : []),
      `    ${step}. ${pool.path}.generations: ${yaml({ [active]: activeVersion, [other]: target })}, activeGeneration: ${other}`,
      `       (${other}'s node groups come up at ${target}, then ${active}'s are tainted NoSchedule)`,
      ...retire(active, other, target, step + 1),
    ];
  });
}
