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
import { spawnSync } from "child_process";
import { committedStackConfig } from "../config/committed-stacks";
import { ENVIRONMENTS } from "../config/sections/environment";
import { environmentOf, parseShardStack } from "../config/tenancy-shards";
import { policyArgs, teamsInState } from "./deploy-plan/plan";
import { changingSteps } from "./lib/preview-json";

const NOTHING_CHANGED = 2;
const USAGE =
  "usage: npm run move-teams -- <to-stack> [--from <stack>] [--yes] (two stacks of one environment: its own and its <environment>-tenancy-<n>)";

class Refused extends Error {}

function pulumi(args: string[], options: { allowFailure?: boolean } = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync("pulumi", [...args, "--non-interactive"], { encoding: "utf8", maxBuffer: 1 << 30 });
  const outcome = { code: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  if (outcome.code !== 0 && !options.allowFailure) throw new Error(`pulumi ${args.join(" ")} failed:\n${outcome.stderr || outcome.stdout}`);
  return outcome;
}

/** URNs of the Team components of `teams` in the stack's state, in the order of `teams`. */
function teamUrns(stack: string, teams: readonly string[]): string[] {
  const urns = teamsInState(pulumi(["stack", "export", "--stack", stack]).stdout);
  return teams.flatMap((team) => urns.get(team) ?? []);
}

/**
 * Steps of a preview of the stack as committed that are more than the move: after it, every object stays as it
 * is; only providers come and go (the destination's own takes over from the copy of the source's) and the stacks'
 * outputs change. Anything else (a deletion, a replacement, another change in this checkout) is refused.
 */
function stepsBeyondTheMove(stack: string, policy: string[]): { op: string; urn: string }[] {
  const preview = pulumi(["preview", "--stack", stack, "--json", ...policy], { allowFailure: true });
  if (preview.code !== 0) throw new Refused(`the preview of ${stack} failed:\n${preview.stderr || preview.stdout}`);
  return changingSteps(JSON.parse(preview.stdout)).filter((step) => !/::pulumi:(providers:|pulumi:Stack::)/.test(step.urn));
}

function move(from: string, to: string, urns: string[]): void {
  pulumi(["state", "move", "--source", from, "--dest", to, "--yes", ...urns]);
}

interface Move {
  readonly from: string;
  readonly to: string;
  readonly yes: boolean;
}

function parseArguments(argv: string[]): Move {
  const fromAt = argv.indexOf("--from");
  const from = fromAt >= 0 ? argv[fromAt + 1] : undefined;
  const rest = argv.filter((_, i) => fromAt < 0 || (i !== fromAt && i !== fromAt + 1));
  const positional = rest.filter((arg) => !arg.startsWith("--"));
  if (
    positional.length !== 1 ||
    rest.some((arg) => arg.startsWith("--") && arg !== "--yes") ||
    (fromAt >= 0 && (!from || from.startsWith("--")))
  )
    throw new Refused(USAGE);
  const to = positional[0];
  const environment = environmentOf(to);
  const source = from ?? environment;
  const ofEnvironment = (stack: string) => stack === environment || parseShardStack(stack)?.environment === environment;
  if (source === to && to === environment)
    throw new Refused(`moving teams into ${environment}'s own stack takes --from <the shard they leave>. ${USAGE}`);
  if (!(ENVIRONMENTS as readonly string[]).includes(environment) || !ofEnvironment(source) || source === to) {
    throw new Refused(`${source} to ${to}: teams move between two stacks of one environment. ${USAGE}`);
  }
  return { from: source, to, yes: argv.includes("--yes") };
}

/**
 * The destination must exist. `pulumi stack init` stores the stack's secrets manager in its state (pulumi#17387),
 * so a move into a shard never deployed keeps the KMS key its file names (the real-engine test checks its salt).
 */
function requireStack(stack: string): void {
  // Not `stack ls`, which reads every stack's checkpoint, and the environment's roles may read only their own.
  if (pulumi(["stack", "export", "--stack", stack], { allowFailure: true }).code !== 0) {
    throw new Refused(
      `there is no stack ${stack}: create it with the secrets provider of ${environmentOf(stack)} (pulumi stack init ${stack} --secrets-provider …, docs/scale.md)`,
    );
  }
}

function main(argv: string[]): number {
  const { from, to, yes } = parseArguments(argv);
  const committed = committedStackConfig(to);
  if (!committed) throw new Refused(`this checkout has no Pulumi.${to}.yaml: list the teams to move in it first`);
  const teams = ((committed["platform:teams"] ?? []) as { name: string }[]).map((team) => team.name);
  requireStack(to);

  const policy = policyArgs(to, process.cwd());
  const urns = teamUrns(from, teams);
  console.log(
    urns.length === 0
      ? `No team of Pulumi.${to}.yaml is in ${from}'s state.`
      : `Moving ${urns.length} team(s) from ${from} to ${to}: ${urns.map((u) => u.split("::").pop()).join(", ")}`,
  );
  if (urns.length > 0) move(from, to, urns);

  // The copy of the source's provider comes back too, at the root of its state: its next update drops it.
  const moveBack = (why: string) => {
    if (urns.length > 0)
      move(
        to,
        from,
        urns.map((urn) => urn.replace(`urn:pulumi:${from}::`, `urn:pulumi:${to}::`)),
      );
    return new Refused(`${why}\nThe teams were moved back; no object was touched.`);
  };
  let beyond: string[];
  try {
    beyond = [from, to].flatMap((stack) => stepsBeyondTheMove(stack, policy).map((step) => `${stack}: ${step.op} ${step.urn}`));
  } catch (error) {
    throw moveBack((error as Error).message);
  }
  if (beyond.length > 0) throw moveBack(`after the move the previews would do more than move state:\n  ${beyond.join("\n  ")}`);
  console.log(`Previews of ${from} and ${to}, with the policy pack, change no object.`);
  if (!yes) {
    const up = (stack: string) => `pulumi up --stack ${stack} ${policy.join(" ")}`;
    console.log(`Now update both, before anything else deploys ${from}: ${up(from)}; ${up(to)}`);
    return 0;
  }
  for (const stack of [from, to]) pulumi(["up", "--stack", stack, "--yes", "--skip-preview", ...policy]);
  console.log(`Updated ${from} and ${to}.`);
  return 0;
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (error) {
  console.error(error instanceof Refused ? `move-teams refused: ${error.message}` : (error as Error).message);
  process.exit(error instanceof Refused ? NOTHING_CHANGED : 1);
}
