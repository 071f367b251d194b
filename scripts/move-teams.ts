/**
 * `npm run move-teams -- <to-stack> [--from <stack>] [--yes]`: moves teams between two stacks of one environment
 * (its own stack and its tenancy shards) without touching a Kubernetes object (docs/scale.md, "Moving teams
 * between stacks"). `--from` defaults to the environment's stack, the usual move: into a shard.
 *
 * Run it on the commit whose stack files already say where each team lives (the teams listed in <to-stack>'s file
 * and no longer in the other's), before that commit is deployed: deploying the source first would delete the teams'
 * namespaces. It moves each such Team and everything in it from the source's state to the destination's
 * (`pulumi state move`, which re-homes state and calls no provider), previews both stacks with the policy pack,
 * and moves the teams back, no object touched, if either preview fails or would do more than the move (a deletion,
 * a replacement, any other change this checkout holds). With --yes it then updates both stacks with the policy
 * pack (the source changes only outputs; the destination swaps to its own provider for the same cluster), after
 * which a preview of either shows no change. Uses the `pulumi` CLI on PATH and its current backend login: the
 * environment's deploy role (the bootstrap's operator access) from a machine that reaches its API endpoint.
 */
import { committedStackConfig } from "../config/committed-stacks";
import { environmentOf, stacksOfEnvironment } from "../config/tenancy-shards";
import { teamsInState } from "./deploy-plan/plan";
import { given, parseCommandLine, expectPositionals } from "./lib/args";
import { Refused, runCommand, UsageError } from "./lib/command";
import { policyArgs } from "./lib/policy-pack";
import { changingSteps } from "./lib/preview-json";
import { checkPulumiSettings, pulumi } from "./lib/pulumi-cli";
import { checkShardFile } from "./lib/shard-files";
import { exportedState } from "./lib/stack-records";
import { requireStack } from "./lib/stacks";

const USAGE =
  "usage: npm run move-teams -- <to-stack> [--from <stack>] [--yes] (two stacks of one environment: its own and its <environment>-tenancy-<n>)";
const PROJECT_DIR = process.cwd();

interface Move {
  readonly from: string;
  readonly to: string;
  readonly yes: boolean;
}

/** Two stacks of one environment, both with a file in this checkout, the source's defaulting to the environment's. */
function parseArguments(argv: readonly string[]): Move {
  const line = parseCommandLine(argv, { "--from": { value: "<stack>" }, "--yes": { aliases: ["-y"] } }, USAGE);
  const [to] = expectPositionals(line, ["<to-stack>"], USAGE);
  requireStack(to, { environments: "all", shards: true, name: "<to-stack>" }, USAGE);
  const environment = environmentOf(to);
  const stacks = stacksOfEnvironment(environment, PROJECT_DIR);
  const from = line.value("--from");
  if (from === undefined && to === environment)
    throw new UsageError(
      `moving teams into ${environment}'s own stack takes --from <the shard they leave>: ${stacks.slice(1).join(", ") || "it has none"}`,
      USAGE,
    );
  const source = from ?? environment;
  if (!stacks.includes(source) || source === to) {
    const others = stacks.filter((stack) => stack !== to);
    throw new UsageError(
      `${given("--from", source)}: expected another stack of ${environment} than ${to}: ${others.join(", ") || "this checkout has none"}`,
      USAGE,
    );
  }
  return { from: source, to, yes: line.has("--yes") };
}

/** URNs of the Team components of `teams` in the stack's state, in the order of `teams`. */
async function teamUrns(stack: string, teams: readonly string[]): Promise<string[]> {
  const urns = teamsInState(await exportedState(stack));
  return teams.flatMap((team) => urns.get(team) ?? []);
}

/**
 * Steps of a preview of the stack as committed that are more than the move: after it, every object stays as it
 * is; only providers come and go (the destination's own takes over from the copy of the source's) and the stacks'
 * outputs change. Anything else (a deletion, a replacement, another change in this checkout) is refused.
 */
async function stepsBeyondTheMove(stack: string, policy: string[]): Promise<{ op: string; urn: string }[]> {
  const preview = await pulumi(["preview", "--stack", stack, "--json", ...policy], { allowFailure: true });
  if (preview.code !== 0) throw new Refused(`the preview of ${stack} failed:\n${preview.stderr || preview.stdout}`);
  return changingSteps(JSON.parse(preview.stdout)).filter((step) => !/::pulumi:(providers:|pulumi:Stack::)/.test(step.urn));
}

async function move(from: string, to: string, urns: string[]): Promise<void> {
  await pulumi(["state", "move", "--source", from, "--dest", to, "--yes", ...urns]);
}

/**
 * The destination must exist. `pulumi stack init` stores the stack's secrets manager in its state (pulumi#17387),
 * so a move into a shard never deployed keeps the KMS key its file names (the real-engine test checks its salt).
 */
async function requireDeployedStack(stack: string): Promise<void> {
  // Not `stack ls`, which reads every stack's checkpoint, and the environment's roles may read only their own.
  if ((await pulumi(["stack", "export", "--stack", stack], { allowFailure: true })).code !== 0) {
    throw new Refused(
      `there is no stack ${stack}: create it with the secrets provider of ${environmentOf(stack)} (pulumi stack init ${stack} --secrets-provider …, docs/scale.md)`,
    );
  }
}

/** The teams <to-stack>'s file lists that are in the source's state, moved into the destination's: their URNs there. */
async function moveListedTeams(from: string, to: string): Promise<string[]> {
  const teams = ((committedStackConfig(to, PROJECT_DIR)?.["platform:teams"] ?? []) as { name: string }[]).map((team) => team.name);
  const urns = await teamUrns(from, teams);
  console.log(
    urns.length === 0
      ? `No team of Pulumi.${to}.yaml is in ${from}'s state.`
      : `Moving ${urns.length} team(s) from ${from} to ${to}: ${urns.map((u) => u.split("::").pop()).join(", ")}`,
  );
  if (urns.length > 0) await move(from, to, urns);
  return urns;
}

/** Both previews change no object, or the teams go back where they were and the move is refused. */
async function previewOrMoveBack(from: string, to: string, urns: string[], policy: string[]): Promise<void> {
  // The copy of the source's provider comes back too, at the root of its state: its next update drops it.
  const moveBack = async (why: string) => {
    if (urns.length > 0)
      await move(
        to,
        from,
        urns.map((urn) => urn.replace(`urn:pulumi:${from}::`, `urn:pulumi:${to}::`)),
      );
    return new Refused(`${why}\nThe teams were moved back; no object was touched.`);
  };
  const beyond: string[] = [];
  try {
    for (const stack of [from, to])
      for (const step of await stepsBeyondTheMove(stack, policy)) beyond.push(`${stack}: ${step.op} ${step.urn}`);
  } catch (error) {
    throw await moveBack((error as Error).message);
  }
  if (beyond.length > 0) throw await moveBack(`after the move the previews would do more than move state:\n  ${beyond.join("\n  ")}`);
  console.log(`Previews of ${from} and ${to}, with the policy pack, change no object.`);
}

async function main(argv: string[]): Promise<void> {
  const { from, to, yes } = parseArguments(argv);
  for (const stack of [to, from]) checkShardFile(stack, USAGE, PROJECT_DIR);
  const policy = policyArgs(to, PROJECT_DIR);
  for (const stack of [from, to]) checkPulumiSettings(stack, PROJECT_DIR, USAGE);
  await requireDeployedStack(to);

  const urns = await moveListedTeams(from, to);
  await previewOrMoveBack(from, to, urns, policy);
  if (!yes) {
    const up = (stack: string) => `pulumi up --stack ${stack} ${policy.join(" ")}`;
    console.log(`Now update both, before anything else deploys ${from}: ${up(from)}; ${up(to)}`);
    return;
  }
  for (const stack of [from, to]) await pulumi(["up", "--stack", stack, "--yes", "--skip-preview", ...policy], { stream: true });
  console.log(`Updated ${from} and ${to}.`);
}

runCommand(() => main(process.argv.slice(2)));
