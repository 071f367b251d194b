/**
 * `npm run bench:real -- --teams N [options]`: the tenancy layer of N synthetic teams (the `local` stack:
 * namespaces, quotas, limits, network baselines, role bindings, and the cluster-wide RBAC and guardrails) on a
 * throwaway control plane, through the real Pulumi CLI with a file backend, and the same objects through kubectl
 * (scripts/bench/kubectl.ts: as users run it, without client-side validation, from parallel clients). Also the
 * engine's fixed cost: an empty program's preview and up with the same CLI, backend and settings. Prints one table
 * of wall and CPU times, with the ratio of each Pulumi step to what it is compared with (scripts/bench/report.ts).
 * Beyond 100 teams (the most one stack carries) the teams are in tenancy shards of --per-shard teams (default 90)
 * and the environment's stack has none: a deploy is the environment's stack first, then its shards side by side
 * (as many at once as --parallel, default the machine's cores, as CI runs them: .github/workflows/deploy.yml); a
 * destroy the other way round. The no-change preview and the team added are those of the first shard, which is
 * what a change to one team costs (docs/scale.md).
 * A benchmark to read, not a timed test: nothing here can fail a build.
 *
 *   --per-shard N       teams per tenancy shard beyond 100 teams (default 90, leaving room for the team added)
 *   --parallel N        stacks deployed or destroyed at once (default: the number of cores)
 *   --policy            previews and updates run the policy pack as CI does (--policy-pack policy)
 *   --env KEY=VALUE     environment for every pulumi command, over the defaults: the state is written once per
 *                       update as scripts/local-up.sh does (PULUMI_SKIP_CHECKPOINTS=true; `--env
 *                       PULUMI_SKIP_CHECKPOINTS=false` measures a checkpoint after every step)
 *   --no-delete         skip `kubectl delete` and `pulumi destroy` (each waits for the namespace controller to
 *                       finalise every namespace: about 1.5 s a team here)
 *   --no-kubectl, --no-pulumi   one side only (a run of thousands of teams in two commands; see --results)
 *   --results FILE      merge this run's measurements into FILE (JSON) and report from all it holds: the other
 *                       side of the same number of teams, measured by an earlier command
 *   --keep              keep the temporary directories (their commands.log has every command and its output)
 *
 * kubectl and Pulumi each get control planes of their own, one after the other, so that neither waits for the
 * other's namespaces to be finalised.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { MAX_TEAMS_PER_STACK } from "../config/tenancy-shards";
import { Sandbox, STACK } from "../test/e2e/support/sandbox";
import { findToolchain, TOOLCHAIN_DIR } from "../test/e2e/support/toolchain";
import { measureKubectl, renderObjects } from "./bench/kubectl";
import { formatResults, mergeResults, Results } from "./bench/report";
import { sideBySide, Steps } from "./bench/steps";
import { BENCH_TEAMS_PER_SHARD, StackTeams, syntheticTeam, teamLayout } from "./bench/teams";
import { given, wholeNumber } from "./lib/args";
import { Refused, runCommand, UsageError } from "./lib/command";

/** What scripts/local-up.sh sets for the stack's updates (docs/scale.md: the crash story). */
const LOCAL_UP_ENV = { PULUMI_SKIP_CHECKPOINTS: "true" };

interface Options {
  readonly teams: number;
  readonly perShard: number;
  readonly policy: boolean;
  readonly env: Record<string, string>;
  readonly keep: boolean;
  readonly delete: boolean;
  readonly kubectl: boolean;
  readonly pulumi: boolean;
  readonly parallel: number;
  readonly results?: string;
}

const USAGE =
  "usage: npm run bench:real -- --teams N [--per-shard N] [--policy] [--env KEY=VALUE]... [--no-delete] [--no-kubectl | --no-pulumi] [--parallel N] [--results FILE] [--keep]";

function parseArgs(argv: string[]): Options {
  let teams = 10;
  let perShard = BENCH_TEAMS_PER_SHARD;
  let policy = false;
  let keep = false;
  let deleteAll = true;
  let kubectl = true;
  let pulumi = true;
  let parallel = os.cpus().length;
  let results: string | undefined;
  const env: Record<string, string> = { ...LOCAL_UP_ENV };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (argv[i + 1] === undefined) throw new UsageError(`${arg} needs a value`, USAGE);
      return argv[++i];
    };
    if (arg === "--teams") teams = wholeNumber("--teams", value(), USAGE, { min: 1 });
    else if (arg === "--per-shard") perShard = wholeNumber("--per-shard", value(), USAGE, { min: 1, max: MAX_TEAMS_PER_STACK - 1 });
    else if (arg === "--policy") policy = true;
    else if (arg === "--keep") keep = true;
    else if (arg === "--no-delete") deleteAll = false;
    else if (arg === "--no-kubectl") kubectl = false;
    else if (arg === "--no-pulumi") pulumi = false;
    else if (arg === "--parallel") parallel = wholeNumber("--parallel", value(), USAGE, { min: 1 });
    else if (arg === "--results") results = value();
    else if (arg === "--env") {
      const [key, ...rest] = value().split("=");
      if (!key || rest.length === 0) throw new UsageError(`${given("--env", argv[i])}: expected KEY=VALUE`, USAGE);
      env[key] = rest.join("=");
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`, USAGE);
  }
  if (!kubectl && !pulumi) throw new UsageError("--no-kubectl and --no-pulumi together leave nothing to measure: give one at most", USAGE);
  return { teams, perShard, policy, env, keep, delete: deleteAll, kubectl, pulumi, parallel, results };
}

/** The engine's fixed cost: an empty TypeScript program's preview and up, with the sandbox's CLI, backend and settings. */
async function measureEmptyProgram(sandbox: Sandbox, env: Record<string, string>, steps: Steps): Promise<void> {
  const dir = path.join(sandbox.root, "empty-program");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify({ name: "empty", runtime: { name: "nodejs", options: { typescript: true } } }));
  fs.writeFileSync(path.join(dir, "index.ts"), "export {};\n");
  fs.copyFileSync(path.join(sandbox.projectDir, "tsconfig.json"), path.join(dir, "tsconfig.json"));
  fs.symlinkSync(path.join(sandbox.projectDir, "node_modules"), path.join(dir, "node_modules"));
  const pulumi = (args: string[]) =>
    sandbox.commands.start(path.join(TOOLCHAIN_DIR, "bin/pulumi"), [...args, "--stack", "empty", "--non-interactive", "--color", "never"], {
      cwd: dir,
      env: { ...sandbox.env, ...env },
      allowFailure: true,
    });
  await sandbox.pulumi(["stack", "init", "empty", "--secrets-provider", "passphrase"], { cwd: dir });
  await steps.step("empty program", async (run) => {
    await run(pulumi(["preview"]));
    await run(pulumi(["up", "--yes", "--skip-preview"]));
  });
}

/** The Pulumi side: deploy from empty, a no-change preview, a team added and removed, destroy. */
async function measurePulumi(sandbox: Sandbox, layout: readonly StackTeams[], options: Options, steps: Steps): Promise<void> {
  const policy = options.policy ? ["--policy-pack", "policy", "--policy-pack-config", `policy/config/${STACK}.json`] : [];
  const pulumi = (stack: string, args: string[]) =>
    sandbox.pulumiInBackground([...args, "--stack", stack, ...policy], { env: options.env });
  const [environment, ...shards] = layout;
  // A change to one team is a change to its stack: the first shard's, or the environment's without shards.
  const changed = shards[0] ?? environment;
  const writeTeams = (stack: string, teams: object[]) => {
    if (stack === STACK) sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:teams"], doc.createNode(teams)));
    else fs.writeFileSync(path.join(sandbox.projectDir, `Pulumi.${stack}.yaml`), stringify({ config: { "platform:teams": teams } }));
  };

  await sandbox.startControlPlane();
  sandbox.copyProject();
  await measureEmptyProgram(sandbox, options.env, steps);
  for (const { stack, teams } of layout) {
    await sandbox.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
    writeTeams(stack, teams);
  }
  sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:cluster", "kubeconfig"], sandbox.kubeconfig));

  const up = ["up", "--yes", "--skip-preview"];
  // The environment's stack first (its shards read its outputs), then its shards side by side.
  await steps.step("pulumi up", async (run) => {
    await run(pulumi(environment.stack, up));
    await sideBySide(shards, options.parallel, ({ stack }) => run(pulumi(stack, up)));
  });
  await steps.step("pulumi preview", (run) => run(pulumi(changed.stack, ["preview", "--expect-no-changes"])));
  writeTeams(changed.stack, [...changed.teams, syntheticTeam(options.teams)]);
  await steps.step("pulumi preview +1", (run) => run(pulumi(changed.stack, ["preview"])));
  await steps.step("pulumi up +1", (run) => run(pulumi(changed.stack, up)));
  writeTeams(changed.stack, changed.teams);
  await steps.step("pulumi up -1", (run) => run(pulumi(changed.stack, up)));
  if (options.delete) {
    const destroy = ["destroy", "--yes", "--skip-preview"];
    await steps.step("pulumi destroy", async (run) => {
      await sideBySide(shards, options.parallel, ({ stack }) => run(pulumi(stack, destroy)));
      await run(pulumi(environment.stack, destroy));
    });
  }
}

async function main(options: Options): Promise<void> {
  const toolchain = findToolchain();
  if (!toolchain.ok)
    throw new Refused(`the toolchain is incomplete: ${toolchain.missing.join("; ")}; build it with \`bash scripts/toolchain.sh\``);
  const sandbox = new Sandbox(toolchain.env);
  const steps = new Steps();
  const layout = teamLayout(STACK, options.teams, options.perShard);
  try {
    const objects = await renderObjects(layout);
    console.error(`[bench:real] ${options.teams} teams: ${objects.length} Kubernetes objects; working in ${sandbox.root}`);
    if (options.kubectl) await measureKubectl(toolchain.env, objects, options, steps);
    if (options.pulumi) await measurePulumi(sandbox, layout, options, steps);

    const run: Results = { teams: options.teams, objects: objects.length, date: new Date().toISOString(), ...steps.measured };
    const results = options.results ? mergeResults(options.results, run) : run;
    const extra = [options.policy ? "policy pack" : "", ...Object.entries(options.env).map(([k, v]) => `${k}=${v}`)]
      .filter(Boolean)
      .join(", ");
    const stacks =
      layout.length > 1
        ? `; ${layout.length} stacks, ${options.parallel} at once after the environment's; the change and the no-change preview in ${layout[1].stack} (${layout[1].teams.length} teams)`
        : "";
    console.log(
      formatResults(
        results,
        `${options.teams} teams, ${objects.length} Kubernetes objects${stacks}${extra ? ` (${extra})` : ""}; ${os.cpus().length} cores; wall and CPU seconds, load average (1 min) after each step`,
      ),
    );
  } finally {
    await sandbox.cleanUp(options.keep);
    if (options.keep) console.error(`[bench:real] kept ${sandbox.root} (commands.log has every command and its output)`);
  }
}

runCommand(() => main(parseArgs(process.argv.slice(2))));
