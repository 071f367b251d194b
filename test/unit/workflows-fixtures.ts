/**
 * The delivery workflows and the repository's composite actions, parsed once for the workflow tests, with the
 * helpers they read jobs and steps through (a composite action's steps stand in for the step that uses it).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
export const ACTIONS = path.join(ROOT, ".github", "actions");
export const STACKS = ["admin", "e2e", "prod", "stage"];

export type Step = {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, any>;
  "working-directory"?: string;
  env?: Record<string, string>;
};
export type Job = {
  needs?: string | string[];
  uses?: string;
  with?: Record<string, unknown>;
  permissions?: Record<string, string>;
  environment?: string;
  "runs-on"?: string;
  strategy?: { "fail-fast"?: boolean; matrix: string | Record<string, unknown[]> };
  steps?: Step[];
  if?: string;
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
};
export type Workflow = { on: Record<string, any>; permissions?: Record<string, string>; jobs: Record<string, Job> };

export const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
export const texts: Record<string, string> = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(WORKFLOWS, f), "utf8")]));
export const workflows: Record<string, Workflow> = Object.fromEntries(files.map((f) => [f, parse(texts[f])]));
/** The repository's composite actions, by directory name (`./.github/actions/<name>`). */
const actionNames = fs.readdirSync(ACTIONS).filter((d) => fs.existsSync(path.join(ACTIONS, d, "action.yml")));
export const actionTexts: Record<string, string> = Object.fromEntries(
  actionNames.map((name) => [name, fs.readFileSync(path.join(ACTIONS, name, "action.yml"), "utf8")]),
);
export const actions: Record<string, { runs: { steps: Step[] }; outputs?: Record<string, { value: string }> }> = Object.fromEntries(
  actionNames.map((name) => [name, parse(actionTexts[name])]),
);
export const setupAction = actions["setup-delivery"];
export const planAction = actions["plan-stack"];
export const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

export const needsOf = (job: Job) => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));
export const allJobs = () =>
  Object.entries(workflows).flatMap(([file, w]) => Object.entries(w.jobs).map(([name, job]) => ({ file, name, job })));
export const allSteps = (): { file: string; step: Step }[] => [
  ...allJobs().flatMap(({ file, job }) => (job.steps ?? []).map((step) => ({ file, step }))),
  ...actionNames.flatMap((name) => actions[name].runs.steps.map((step) => ({ file: name, step }))),
];
export const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? "").join("\n");
/** A job's steps with those of the repository's composite actions it uses in their place. */
const expandedSteps = (steps: Step[]): Step[] =>
  steps.flatMap((s) => (s.uses?.startsWith("./.github/actions/") ? expandedSteps(actions[s.uses.split("/").pop()!].runs.steps) : [s]));
export const roleStep = (job: Job) => expandedSteps(job.steps ?? []).find((s) => s.id === "aws");
/** A job that assumes one of a stack's roles (its `aws` step reads which). */
export const touchesStacks = (job: Job) => roleStep(job) !== undefined;
/** The step that lists the stacks as job matrices (scripts/delivery/stacks.ts). */
export const LIST_STACKS = 'npm run --silent delivery -- stacks >> "$GITHUB_OUTPUT"';
export const listsStacks = (job: Job) => (job.steps ?? []).some((s) => s.id === "stacks" && s.run === LIST_STACKS);
/** A matrix job: each stack with the environment it deploys as (a tenancy shard: its environment). */
export const matrixJob = (matrix: string) => ({
  strategy: { "fail-fast": false, matrix },
  with: { stack: "${{ matrix.stack }}", environment: "${{ matrix.environment }}" },
});
