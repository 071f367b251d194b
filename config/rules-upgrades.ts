/**
 * Kubernetes upgrades are rehearsed: a minor reaches prod only after stage runs it, and stage only after e2e
 * (the field notes' special cluster for rehearsing updates). The rule reads the committed stack files of the
 * environments before this one, so a pull request that bumps prod before stage fails its preview.
 */
import { committedStackConfig, PROJECT_DIR } from "./committed-stacks";
import type { Rule, Violation } from "./violation";
import { NODE_GENERATIONS } from "./sections/cluster";

/** Each environment and the one that must run a minor first. */
export const REHEARSED_BY: Readonly<Record<string, string>> = { stage: "e2e", prod: "stage" };

/**
 * A minor every environment is assumed to run already, instead of its committed one: `npm run verify -- <stack>
 * --minor <x.y>` asks whether the stack works at that minor, not whether it may be deployed there yet.
 */
let assumedMinor: string | undefined;
export function assumeEveryEnvironmentRuns(minor: string | undefined): void {
  assumedMinor = minor;
}

/** `platform:cluster.kubernetesVersion` of a committed stack file, if it has one. */
export function committedMinor(stack: string, projectDir = PROJECT_DIR): string | undefined {
  return committedStackConfig(stack, projectDir)?.["platform:cluster"]?.kubernetesVersion;
}

export const minorOf = (version: string): number => Number(version.split(".")[1]);

export const upgradesAreRehearsed: Rule = (c) => {
  const before = REHEARSED_BY[c.environment.kind];
  if (!before || c.cluster.mode !== "eks") return [];
  const rehearsed = assumedMinor ?? committedMinor(before);
  if (!rehearsed || minorOf(c.cluster.kubernetesVersion) <= minorOf(rehearsed)) return [];
  return [
    {
      path: "cluster.kubernetesVersion",
      expected: `at most "${rehearsed}", the minor ${before} runs (Pulumi.${before}.yaml): upgrade ${before} to ${c.cluster.kubernetesVersion} first`,
    },
  ];
};

/**
 * A blue/green pool's generations pin their own minor, so they are the only node groups that can fall behind the
 * control plane. A kubelet is never newer than its API server (Kubernetes version skew policy). And EKS upgrades a
 * control plane only while its managed nodes run its current minor (EKS user guide, "Update existing cluster to
 * new Kubernetes version"), one minor at a time: a generation one minor behind is the old side of a swap in
 * progress, two behind would be a control-plane upgrade EKS refuses until the pool has been swapped.
 */
export const nodeGenerationsWithinSkew: Rule = (c) => {
  if (c.cluster.mode !== "eks") return [];
  const { kubernetesVersion } = c.cluster;
  const control = minorOf(kubernetesVersion);
  return c.cluster.nodePools.flatMap((pool, i) =>
    NODE_GENERATIONS.flatMap((generation): Violation[] => {
      const version = pool.generations?.[generation];
      if (version === undefined) return [];
      const path = `cluster.nodePools[${i}].generations.${generation}`;
      if (minorOf(version) > control) {
        return [
          {
            path,
            expected: `at most "${kubernetesVersion}", cluster.kubernetesVersion: a kubelet is never newer than its API server, so the control plane goes first (in this change or an earlier one)`,
          },
        ];
      }
      if (control - minorOf(version) > 1) {
        return [
          {
            path,
            expected:
              `at least "1.${control - 1}", one minor behind cluster.kubernetesVersion "${kubernetesVersion}": EKS upgrades the control plane only while managed nodes run its current minor, ` +
              `so swap pool "${pool.name}" to a generation of the control plane's minor before the next control-plane upgrade`,
          },
        ];
      }
      return [];
    }),
  );
};

/** A blue/green pool's green node groups are `<pool>-green…`: another pool of that name would take the same resource names. */
export const nodeGenerationNamesAreFree: Rule = (c) => {
  if (c.cluster.mode !== "eks") return [];
  const pools = c.cluster.nodePools;
  return pools.flatMap((pool, i): Violation[] => {
    const owner = pools.find((other) => other.upgradeStrategy === "blueGreen" && pool.name === `${other.name}-green`);
    return owner
      ? [
          {
            path: `cluster.nodePools[${i}].name`,
            expected: `a name other than "${pool.name}": blue/green pool "${owner.name}" names its green node groups so`,
          },
        ]
      : [];
  });
};

export const UPGRADE_RULES: Rule[] = [upgradesAreRehearsed, nodeGenerationsWithinSkew, nodeGenerationNamesAreFree];
