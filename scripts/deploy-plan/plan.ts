/**
 * Applying exactly what was reviewed. Before the approval gate the deploy saves an update plan
 * (`pulumi preview --save-plan`) with what it was made from: the commit and a fingerprint of the stack's state.
 * After the gate, `apply` refuses unless the checkout is that commit and the state is unchanged, then runs
 * `pulumi up --plan`, which the engine itself refuses to let do anything the plan does not hold.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { environmentOf, ownersElsewhere, stacksOfEnvironment } from "../../config/tenancy-shards";
import { Refused } from "../lib/command";
import { policyArgs } from "../lib/policy-pack";
import { changingSteps, PreviewJson, resourceOf, UNCHANGED_OPS } from "../lib/preview-json";
import { unrenderedAtPreview } from "./completeness";

/** What `save` records next to the plan, so that `apply` can tell whether the world moved since. */
export interface PlanRecord {
  readonly stack: string;
  readonly commit: string;
  /** sha256 of the state's resources and pending operations (`pulumi stack export`): see stateFingerprint. */
  readonly stateFingerprint: string;
  readonly savedAt: string;
  /**
   * What the preview could not render (completeness.ts): when any, no saved plan can hold the update, and `apply`
   * runs the reviewed commit's program without one, after the same checks.
   */
  readonly unrendered: string[];
}

/** The commands the plan needs; injected so that the refusals are tested without an engine. */
export interface PlanDeps {
  /**
   * `pulumi <args>` in the project directory; rejects on a non-zero exit. Resolves stdout, or, with `stream`, shows
   * the output as it comes (an update's progress and errors belong in the job log) and resolves "".
   */
  pulumi(args: string[], options?: { stream: boolean }): Promise<string>;
  headCommit(): Promise<string>;
  now(): Date;
  log(line: string): void;
}

export const FILES = { plan: "plan.json", preview: "preview.json", record: "plan-record.json", summary: "summary.md" } as const;

/**
 * The state as far as an update depends on it. `manifest.time` changes on every write, even a no-op update, so
 * it is left out; any change of a resource, or an operation left pending by a killed update, changes this.
 */
export function stateFingerprint(exported: string): string {
  const { deployment } = JSON.parse(exported) as { deployment?: { resources?: unknown[]; pending_operations?: unknown[] } };
  const relevant = JSON.stringify({ resources: deployment?.resources ?? [], pending: deployment?.pending_operations ?? [] });
  return createHash("sha256").update(relevant).digest("hex");
}

export async function savePlan(stack: string, dir: string, projectDir: string, deps: PlanDeps): Promise<PlanRecord> {
  const policy = policyArgs(stack, projectDir);
  fs.mkdirSync(dir, { recursive: true });
  const stateFingerprintBefore = stateFingerprint(await deps.pulumi(["stack", "export", "--stack", stack]));
  const preview = await deps.pulumi(["preview", "--stack", stack, "--json", "--save-plan", path.join(dir, FILES.plan), ...policy]);
  const steps = JSON.parse(preview).steps ?? [];
  const stranded = teamsLeftBehind(stack, steps, projectDir);
  if (stranded.length > 0) {
    const { listed, owners } = byOwner(stranded, (owner) => `Pulumi.${owner}.yaml`);
    throw new Refused(
      `the update would delete teams another stack of ${environmentOf(stack)} lists: ${listed}. Their state was not moved along with their config, ` +
        `and the update would delete their namespaces: run ${owners.map((owner) => moveCommand(owner, stack)).join(" and ")} first (docs/scale.md, "Moving teams between stacks").`,
    );
  }
  const held = await teamsHeldElsewhere(stack, steps, projectDir, deps);
  if (held.length > 0) {
    const { listed, owners } = byOwner(held, (owner) => `in ${owner}'s state`);
    throw new Refused(
      `the update would create teams another stack of ${environmentOf(stack)} still holds: ${listed}. Their config moved, their state did not, ` +
        `this update would fail creating their namespaces, which exist (a provider that takes existing objects over would take them), and that stack's update would then delete them: ` +
        `run ${owners.map((owner) => moveCommand(stack, owner)).join(" and ")} first (docs/scale.md, "Moving teams between stacks").`,
    );
  }
  fs.writeFileSync(path.join(dir, FILES.preview), preview);
  const record: PlanRecord = {
    stack,
    commit: await deps.headCommit(),
    stateFingerprint: stateFingerprintBefore,
    savedAt: deps.now().toISOString(),
    unrendered: unrenderedAtPreview(JSON.parse(preview)),
  };
  fs.writeFileSync(path.join(dir, FILES.record), `${JSON.stringify(record, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, FILES.summary), planSummary(record, JSON.parse(preview)));
  deps.log(`Saved the plan of ${stack} at ${record.commit.slice(0, 12)} in ${dir}.`);
  return record;
}

/** Teams grouped by the stack that owns them: `a, b (<where>); c (<where>)`, and those stacks. */
function byOwner(teams: { team: string; owner: string }[], where: (owner: string) => string): { listed: string; owners: string[] } {
  const owners = [...new Set(teams.map((t) => t.owner))];
  const listed = owners
    .map(
      (owner) =>
        `${teams
          .filter((t) => t.owner === owner)
          .map((t) => t.team)
          .sort()
          .join(", ")} (${where(owner)})`,
    )
    .join("; ");
  return { listed, owners };
}

function moveCommand(to: string, from: string): string {
  return `\`npm run move-teams -- ${to} --from ${from} --yes\``;
}

const TEAM_TYPE = "platform:tenancy:Team";

/** The Team components in a stack's state (`pulumi stack export`): team name → URN. */
export function teamsInState(exported: string): Map<string, string> {
  const resources: { type: string; urn: string }[] = JSON.parse(exported).deployment?.resources ?? [];
  return new Map(resources.filter((r) => r.type === TEAM_TYPE).map((r) => [r.urn.split("::").pop()!, r.urn]));
}

/** Names of the Teams the steps `op` (create, delete). */
function teamsOf(steps: { op: string; urn: string }[], op: string): string[] {
  return steps.filter((step) => step.op === op && step.urn.split("::")[2] === TEAM_TYPE).map((step) => step.urn.split("::").pop()!);
}

/**
 * Teams an update of a stack would delete while another stack of its environment (its own stack or a shard, as
 * committed) lists them: their config moved, their state did not, and the other stack would create anew what this
 * one deletes (or, had it run first, have failed creating it as existing).
 */
export function teamsLeftBehind(
  stack: string,
  steps: { op: string; urn: string }[],
  projectDir: string,
): { team: string; owner: string }[] {
  const ownerOf = ownersElsewhere(environmentOf(stack), stack, projectDir).teams;
  return teamsOf(steps, "delete")
    .filter((team) => ownerOf.has(team))
    .map((team) => ({ team, owner: ownerOf.get(team)! }));
}

/**
 * Teams an update of a stack would create while another stack of its environment still holds them in its state:
 * the other side of a move whose config landed before its state. The environment's stack deploys before its
 * shards, so its plan, not only the shard's, must stop a team coming back. Read with `stack export`, which the
 * environment's roles may do for each of its stacks (the state bucket's policy).
 */
export async function teamsHeldElsewhere(
  stack: string,
  steps: { op: string; urn: string }[],
  projectDir: string,
  deps: PlanDeps,
): Promise<{ team: string; owner: string }[]> {
  const created = teamsOf(steps, "create");
  if (created.length === 0) return [];
  const held: { team: string; owner: string }[] = [];
  for (const other of stacksOfEnvironment(environmentOf(stack), projectDir).filter((other) => other !== stack)) {
    const exported = await deps.pulumi(["stack", "export", "--stack", other]).catch((error: Error) => {
      // A shard whose file is committed before its stack is created holds nothing yet.
      if (/no stack named/.test(error.message)) return undefined;
      throw error;
    });
    if (exported === undefined) continue;
    const teams = teamsInState(exported);
    held.push(...created.filter((team) => teams.has(team)).map((team) => ({ team, owner: other })));
  }
  return held;
}

export async function applyPlan(stack: string, dir: string, message: string, projectDir: string, deps: PlanDeps): Promise<void> {
  const policy = policyArgs(stack, projectDir);
  const record = readRecord(dir);
  if (record.stack !== stack) throw new Refused(`the plan in ${dir} is for stack ${record.stack}, not ${stack}`);
  const head = await deps.headCommit();
  if (head !== record.commit) {
    throw new Refused(
      `the plan was made from commit ${record.commit.slice(0, 12)}, but this checkout is ${head.slice(0, 12)}: check out the reviewed commit`,
    );
  }
  const now = stateFingerprint(await deps.pulumi(["stack", "export", "--stack", stack]));
  if (now !== record.stateFingerprint) {
    throw new Refused(
      `stack ${stack} changed since its plan was saved at ${record.savedAt} (another update, a refresh or an interrupted update): ` +
        "the reviewed plan no longer describes what `up` would do. Run the deploy again to review a new plan.",
    );
  }
  const complete = record.unrendered.length === 0;
  const plan = complete ? ["--plan", path.join(dir, FILES.plan)] : [];
  await deps.pulumi(["up", "--stack", stack, "--yes", "--skip-preview", ...plan, "--message", message, ...policy], {
    stream: true,
  });
  deps.log(
    complete
      ? `Applied the reviewed plan of ${stack} (commit ${record.commit.slice(0, 12)}).`
      : `Updated ${stack} to the reviewed commit ${record.commit.slice(0, 12)} without a saved plan, which could not hold what its preview could not render.`,
  );
}

function readRecord(dir: string): PlanRecord {
  const file = path.join(dir, FILES.record);
  if (!fs.existsSync(file)) throw new Refused(`${file} does not exist: apply takes the directory \`save\` wrote`);
  let record: Partial<PlanRecord>;
  try {
    record = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<PlanRecord>;
  } catch (error) {
    throw new Refused(`${file} is not JSON (${(error as Error).message}): apply takes the directory \`save\` wrote`);
  }
  const missing = (["stack", "commit", "stateFingerprint", "savedAt", "unrendered"] as const).filter((key) => record[key] === undefined);
  if (missing.length > 0) throw new Refused(`${file} lacks ${missing.join(", ")}: apply takes the directory \`save\` wrote`);
  return record as PlanRecord;
}

/** Whether applying the previewed plan changes anything; a preview without steps, or one that could not render everything, is not taken for no change. */
export function planChanges(preview: PreviewJson): boolean {
  return preview.steps === undefined || changingSteps(preview).length > 0 || unrenderedAtPreview(preview).length > 0;
}

/** Markdown for the run's summary page, which the approver reads before approving. */
export function planSummary(record: PlanRecord, preview: PreviewJson): string {
  const changes = changingSteps(preview);
  const counts = Object.entries(preview.changeSummary ?? {})
    .filter(([op]) => !UNCHANGED_OPS.has(op))
    .map(([op, count]) => `${count} to ${op}`);
  const rows = changes.map((step) => {
    const [, , typePath, name] = step.urn.split("::");
    const keys = step.diffReasons?.length ? step.diffReasons.map((key) => `\`${key}\``).join(", ") : "";
    return `| ${step.op} | \`${typePath.split("$").pop()}\` | \`${name}\` | ${keys} |`;
  });
  return [
    `### Plan of \`${record.stack}\` at \`${record.commit.slice(0, 12)}\``,
    "",
    ...(record.unrendered.length > 0 ? incompleteWarning(record.unrendered) : []),
    changes.length === 0
      ? "No changes."
      : `${counts.join(", ")}. ${record.unrendered.length > 0 ? "Approving runs the update of this commit (`pulumi up`, no saved plan)." : "Approving applies exactly these operations (`pulumi up --plan`)."}`,
    "",
    ...(rows.length > 0 ? ["| operation | type | name | changed inputs |", "|---|---|---|---|", ...rows, ""] : []),
  ].join("\n");
}

function incompleteWarning(unrendered: string[]): string[] {
  return [
    `> **This plan is incomplete.** ${unrendered.length} component(s) could not be rendered in the preview: their inputs wait on what this ` +
      "update creates first (a first deploy: the cluster and its roles; or a replaced role or cluster), so their objects are not listed " +
      "below, and no saved plan could hold them (`pulumi up --plan` would refuse them half-way). Approving runs the update of this " +
      "commit without a saved plan, after the same checks of commit and state. Review these charts' versions and values in the commit:",
    ">",
    ...unrendered.map((urn) => `> - \`${resourceOf(urn)}\``),
    "",
  ];
}
