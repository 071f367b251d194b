/**
 * Kubernetes upgrades are rehearsed: a minor reaches prod only after stage runs it, and stage only after e2e
 * (the field notes' special cluster for rehearsing updates). The rule reads the committed stack files of the
 * environments before this one, so a pull request that bumps prod before stage fails its preview.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { Rule } from "./rules";

/** Each environment and the one that must run a minor first. */
export const REHEARSED_BY: Readonly<Record<string, string>> = { stage: "e2e", prod: "stage" };

const PROJECT_DIR = path.resolve(__dirname, "..");

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
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  return parse(fs.readFileSync(file, "utf8"))?.config?.["platform:cluster"]?.kubernetesVersion;
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
