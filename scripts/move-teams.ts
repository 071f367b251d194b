/**
 * `npm run move-teams -- <environment>-tenancy-<n> [--yes]`: moves teams from an environment's stack into one of
 * its tenancy shards without touching a Kubernetes object (docs/scale.md, "Moving teams into a shard").
 *
 * Run it on the commit whose stack files already say where each team lives (the teams listed in the shard's file
 * and no longer in the environment's), before that commit is deployed: deploying the environment first would
 * delete the teams' namespaces. It moves each such Team and everything in it from the environment's state to the
 * shard's (`pulumi state move`, which re-homes state and calls no provider), previews both stacks with the policy
 * pack, and moves the teams back, no object touched, if either preview fails or would do more than the move (a
 * deletion, a replacement, any other change this checkout holds). With --yes it then updates both stacks with the
 * policy pack (the environment changes only outputs; the shard swaps to its own provider for the same cluster),
 * after which a preview of either shows no change. Uses the `pulumi` CLI on PATH and its current backend login:
 * the environment's deploy role (the bootstrap's operator access) from a machine that reaches its API endpoint.
 */
import { spawnSync } from "child_process";
import { committedStackConfig } from "../config/committed-stacks";
import { parseShardStack } from "../config/tenancy-shards";
import { policyArgs } from "./deploy-plan/plan";

const TEAM_TYPE = "platform:tenancy:Team";
/** Preview operations that leave every object as it is. */
const UNCHANGED = new Set(["same", "read"]);
const NOTHING_CHANGED = 2;
const USAGE = "usage: npm run move-teams -- <environment>-tenancy-<n> [--yes]";

class Refused extends Error {}

interface PreviewStep {
  readonly op: string;
  readonly urn: string;
}

function pulumi(args: string[], options: { allowFailure?: boolean } = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync("pulumi", [...args, "--non-interactive"], { encoding: "utf8", maxBuffer: 1 << 30 });
  const outcome = { code: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  if (outcome.code !== 0 && !options.allowFailure) throw new Error(`pulumi ${args.join(" ")} failed:\n${outcome.stderr || outcome.stdout}`);
  return outcome;
}

/** URNs of the Team components of `teams` in the stack's state, in the order of `teams`. */
function teamUrns(stack: string, teams: readonly string[]): string[] {
  const resources: { urn: string; type: string }[] = JSON.parse(pulumi(["stack", "export", "--stack", stack]).stdout).deployment.resources ?? [];
  const urns = new Map(resources.filter((r) => r.type === TEAM_TYPE).map((r) => [r.urn.split("::").pop()!, r.urn]));
  return teams.flatMap((team) => urns.get(team) ?? []);
}

/**
 * Steps of a preview of the stack as committed that are more than the move: after it, every object stays as it
 * is; only providers come and go (the shard's takes over from the copy of the environment's) and the stacks'
 * outputs change. Anything else (a deletion, a replacement, another change in this checkout) is refused.
 */
function stepsBeyondTheMove(stack: string, policy: string[]): PreviewStep[] {
  const preview = pulumi(["preview", "--stack", stack, "--json", ...policy], { allowFailure: true });
  if (preview.code !== 0) throw new Refused(`the preview of ${stack} failed:\n${preview.stderr || preview.stdout}`);
  const steps: PreviewStep[] = JSON.parse(preview.stdout).steps ?? [];
  return steps.filter((step) => !UNCHANGED.has(step.op) && !/::pulumi:(providers:|pulumi:Stack::)/.test(step.urn));
}

function move(from: string, to: string, urns: string[]): void {
  pulumi(["state", "move", "--source", from, "--dest", to, "--yes", ...urns]);
}

function main(argv: string[]): number {
  const shardStack = argv.find((arg) => !arg.startsWith("--"));
  const shard = shardStack && parseShardStack(shardStack);
  if (!shardStack || !shard || argv.some((arg) => arg.startsWith("--") && arg !== "--yes")) throw new Refused(USAGE);
  const environment = shard.environment;
  const committed = committedStackConfig(shardStack);
  if (!committed) throw new Refused(`this checkout has no Pulumi.${shardStack}.yaml: list the teams to move in it first`);
  const teams = ((committed["platform:teams"] ?? []) as { name: string }[]).map((team) => team.name);
  // Not `stack ls`, which reads every stack's checkpoint, and the environment's roles may read only their own.
  if (pulumi(["stack", "export", "--stack", shardStack], { allowFailure: true }).code !== 0) {
    throw new Refused(`there is no stack ${shardStack}: create it with the secrets provider of ${environment} (pulumi stack init ${shardStack} --secrets-provider …, docs/scale.md)`);
  }

  const policy = policyArgs(shardStack, process.cwd());
  const urns = teamUrns(environment, teams);
  console.log(urns.length === 0 ? `No team of Pulumi.${shardStack}.yaml is in ${environment}'s state.` : `Moving ${urns.length} team(s) from ${environment} to ${shardStack}: ${urns.map((u) => u.split("::").pop()).join(", ")}`);
  if (urns.length > 0) move(environment, shardStack, urns);

  // The copy of the environment's provider comes back too, at the root of its state: its next update drops it.
  const moveBack = (why: string) => {
    if (urns.length > 0) move(shardStack, environment, urns.map((urn) => urn.replace(`urn:pulumi:${environment}::`, `urn:pulumi:${shardStack}::`)));
    return new Refused(`${why}\nThe teams were moved back; no object was touched.`);
  };
  let beyond: string[];
  try {
    beyond = [environment, shardStack].flatMap((stack) => stepsBeyondTheMove(stack, policy).map((step) => `${stack}: ${step.op} ${step.urn}`));
  } catch (error) {
    throw moveBack((error as Error).message);
  }
  if (beyond.length > 0) throw moveBack(`after the move the previews would do more than move state:\n  ${beyond.join("\n  ")}`);
  console.log(`Previews of ${environment} and ${shardStack}, with the policy pack, change no object.`);
  if (!argv.includes("--yes")) {
    const up = (stack: string) => `pulumi up --stack ${stack} ${policy.join(" ")}`;
    console.log(`Now update both, before anything else deploys ${environment}: ${up(environment)}; ${up(shardStack)}`);
    return 0;
  }
  for (const stack of [environment, shardStack]) pulumi(["up", "--stack", stack, "--yes", "--skip-preview", ...policy]);
  console.log(`Updated ${environment} and ${shardStack}.`);
  return 0;
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (error) {
  console.error(error instanceof Refused ? `move-teams refused: ${error.message}` : (error as Error).message);
  process.exit(error instanceof Refused ? NOTHING_CHANGED : 1);
}
