/**
 * `npm run bench:real -- --teams N [options]`: the tenancy layer of N synthetic teams (the `local` stack:
 * namespaces, quotas, limits, network baselines, role bindings, and the cluster-wide RBAC and guardrails) on a
 * throwaway control plane, through the real Pulumi CLI with a file backend, and the same objects through
 * `kubectl apply --server-side`. Prints one table of wall and CPU times and the ratios. Beyond 100 teams (the most
 * one stack carries) the teams are in tenancy shards of --per-shard teams (default 90) and the environment's stack
 * has none: a deploy or destroy is every stack's, one after the other; the no-change preview and the team added
 * are those of the first shard, which is what a change to one team costs (docs/scale.md).
 * A benchmark to read, not a timed test: nothing here can fail a build.
 *
 *   --per-shard N       teams per tenancy shard beyond 100 teams (default 90, leaving room for the team added)
 *   --policy            previews and updates run the policy pack as CI does (--policy-pack policy)
 *   --env KEY=VALUE     environment for every pulumi command, over the defaults: the state is written once per
 *                       update as scripts/local-up.sh does (PULUMI_SKIP_CHECKPOINTS=true; `--env
 *                       PULUMI_SKIP_CHECKPOINTS=false` measures a checkpoint after every step)
 *   --no-delete         skip `kubectl delete` and `pulumi destroy` (each waits for the namespace controller to
 *                       finalise every namespace: about 1.5 s a team here)
 *   --no-kubectl, --no-pulumi   one side only (to run the two at once with thousands of objects)
 *   --keep              keep the temporary directories (their commands.log has every command and its output)
 *
 * kubectl and Pulumi each get a control plane of their own, one after the other, so that neither waits for the
 * other's namespaces to be finalised.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { MAX_TEAMS_PER_STACK } from "../config/tenancy-shards";
import { runStack, StackRun } from "../mock-engine";
import { Background, CommandError, Result } from "../test/e2e/support/commands";
import { Sandbox, STACK } from "../test/e2e/support/sandbox";
import { findToolchain, TOOLCHAIN_DIR } from "../test/e2e/support/toolchain";
import { sampleCpu } from "./bench/cpu";
import { BENCH_TEAMS_PER_SHARD, formatTable, StackTeams, syntheticTeam, teamLayout } from "./bench/teams";
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
}

const USAGE =
  "usage: npm run bench:real -- --teams N [--per-shard N] [--policy] [--env KEY=VALUE]... [--no-delete] [--no-kubectl | --no-pulumi] [--keep]";

function parseArgs(argv: string[]): Options {
  let teams = 10;
  let perShard = BENCH_TEAMS_PER_SHARD;
  let policy = false;
  let keep = false;
  let deleteAll = true;
  let kubectl = true;
  let pulumi = true;
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
    else if (arg === "--env") {
      const [key, ...rest] = value().split("=");
      if (!key || rest.length === 0) throw new UsageError(`${given("--env", argv[i])}: expected KEY=VALUE`, USAGE);
      env[key] = rest.join("=");
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`, USAGE);
  }
  if (!kubectl && !pulumi) throw new UsageError("--no-kubectl and --no-pulumi together leave nothing to measure: give one at most", USAGE);
  return { teams, perShard, policy, env, keep, delete: deleteAll, kubectl, pulumi };
}

/** The objects every stack of the layout deploys, as the mock engine sees them: cluster-scoped first. */
async function renderManifests(layout: StackTeams[]): Promise<{ yaml: string; objects: number }> {
  const runs: StackRun[] = [];
  for (const { stack, teams } of layout) {
    runs.push(await runStack(stack, { configure: (c) => (c["platform:teams"] = teams), stackOutputs: { [STACK]: runs[0]?.outputs } }));
  }
  const objects = runs
    .flatMap((run) => run.resources)
    .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.inputs.kind !== undefined)
    .map((r) => {
      const { apiVersion, kind, metadata, ...rest } = r.inputs;
      return { apiVersion, kind, metadata, ...rest };
    });
  const rank = (o: { kind: string; metadata: { namespace?: string } }) =>
    o.kind === "Namespace" ? 0 : o.metadata.namespace === undefined ? 1 : 2;
  objects.sort((a, b) => rank(a) - rank(b));
  return { yaml: objects.map((o) => stringify(o)).join("---\n"), objects: objects.length };
}

/** kubectl as a background command, whose process the CPU sampler follows. */
function kubectl(box: Sandbox, args: string[]): Background {
  return box.commands.start(path.join(TOOLCHAIN_DIR, "bin/kubectl"), args, { cwd: box.root, env: box.env, allowFailure: true });
}

type Timed = (label: string, command: Background) => Promise<Result>;

/** The same objects through kubectl: apply, apply again, diff, delete. */
async function measureKubectl(forKubectl: Sandbox, manifestFile: string, options: Options, timed: Timed): Promise<void> {
  await forKubectl.startControlPlane();
  const ssa = ["--server-side", "--field-manager", "bench", "-f", manifestFile];
  await timed("kubectl apply", kubectl(forKubectl, ["apply", ...ssa]));
  await timed("kubectl apply again", kubectl(forKubectl, ["apply", ...ssa]));
  // Exit 0: no difference, 1: differences (a failure of this bench: the objects just applied must match).
  await timed("kubectl diff", kubectl(forKubectl, ["diff", "--server-side", "--field-manager", "bench", "-f", manifestFile]));
  if (options.delete) await timed("kubectl delete", kubectl(forKubectl, ["delete", "--wait", "-f", manifestFile]));
}

async function main(options: Options): Promise<void> {
  const toolchain = findToolchain();
  if (!toolchain.ok)
    throw new Refused(`the toolchain is incomplete: ${toolchain.missing.join("; ")}; build it with \`bash scripts/toolchain.sh\``);
  const forKubectl = new Sandbox(toolchain.env);
  const sandbox = new Sandbox(toolchain.env);
  const seconds: Record<string, number> = {};
  const cpu: Record<string, Record<string, number>> = {};
  // A label measured again (one command per stack) adds up.
  const timed = async (label: string, command: Background) => {
    const sampler = sampleCpu(command.child.pid!);
    const result = await command.result;
    const used = sampler.stop();
    for (const [name, s] of Object.entries(used)) (cpu[label] ??= {})[name] = (cpu[label][name] ?? 0) + s;
    if (result.code !== 0) throw new CommandError(result);
    seconds[label] = (seconds[label] ?? 0) + result.seconds;
    const byProcess = Object.entries(used)
      .sort((a, b) => b[1] - a[1])
      .map(([name, s]) => `${name} ${s.toFixed(1)}`);
    console.error(`[bench:real] ${label}: ${result.seconds.toFixed(1)} s; CPU s: ${byProcess.join(", ")}`);
    return result;
  };
  const policy = options.policy ? ["--policy-pack", "policy", "--policy-pack-config", `policy/config/${STACK}.json`] : [];
  const pulumi = (stack: string, args: string[]) =>
    sandbox.pulumiInBackground([...args, "--stack", stack, ...policy], { env: options.env });
  const layout = teamLayout(STACK, options.teams, options.perShard);
  // A change to one team is a change to its stack: the first shard's, or the environment's without shards.
  const changed = layout[layout.length > 1 ? 1 : 0];
  const writeTeams = (stack: string, teams: object[]) => {
    if (stack === STACK) sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:teams"], doc.createNode(teams)));
    else fs.writeFileSync(path.join(sandbox.projectDir, `Pulumi.${stack}.yaml`), stringify({ config: { "platform:teams": teams } }));
  };

  try {
    const manifests = await renderManifests(layout);
    const manifestFile = path.join(forKubectl.root, "manifests.yaml");
    fs.writeFileSync(manifestFile, manifests.yaml);
    console.error(
      `[bench:real] ${options.teams} teams: ${manifests.objects} Kubernetes objects; working in ${forKubectl.root} and ${sandbox.root}`,
    );

    if (options.kubectl) await measureKubectl(forKubectl, manifestFile, options, timed);
    await forKubectl.cleanUp(options.keep);

    if (options.pulumi) {
      await sandbox.startControlPlane();
      sandbox.copyProject();
      for (const { stack, teams } of layout) {
        await sandbox.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
        writeTeams(stack, teams);
      }
      sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:cluster", "kubeconfig"], sandbox.kubeconfig));

      for (const { stack } of layout) await timed("pulumi up", pulumi(stack, ["up", "--yes", "--skip-preview"]));
      await timed("pulumi preview", pulumi(changed.stack, ["preview", "--expect-no-changes"]));
      writeTeams(changed.stack, [...changed.teams, syntheticTeam(options.teams)]);
      await timed("pulumi preview +1", pulumi(changed.stack, ["preview"]));
      await timed("pulumi up +1", pulumi(changed.stack, ["up", "--yes", "--skip-preview"]));
      writeTeams(changed.stack, changed.teams);
      await timed("pulumi up -1", pulumi(changed.stack, ["up", "--yes", "--skip-preview"]));
      if (options.delete)
        for (const { stack } of [...layout].reverse()) await timed("pulumi destroy", pulumi(stack, ["destroy", "--yes", "--skip-preview"]));
    }

    const wall = (label: string) => seconds[label]?.toFixed(1) ?? "-";
    const cpuTotal = (label: string) => (cpu[label] ? Object.values(cpu[label]).reduce((a, b) => a + b, 0) : undefined);
    // The program (node), the engine (pulumi) and the Kubernetes provider; kubectl alone on its side.
    const split = (label: string) =>
      cpu[label]
        ? `${cpuTotal(label)!.toFixed(1)} (${(cpu[label].node ?? 0).toFixed(1)}/${(cpu[label].pulumi ?? 0).toFixed(1)}/${(cpu[label]["pulumi-resource"] ?? 0).toFixed(1)})`
        : "";
    const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(1)}×` : "");
    const row = (step: string, pulumiStep: string | undefined, kubectlStep: string | undefined) => [
      step,
      pulumiStep ? wall(pulumiStep) : "",
      kubectlStep ? wall(kubectlStep) : "",
      pulumiStep && kubectlStep ? ratio(seconds[pulumiStep], seconds[kubectlStep]) : "",
      pulumiStep ? split(pulumiStep) : "",
      kubectlStep ? (cpuTotal(kubectlStep)?.toFixed(1) ?? "") : "",
    ];
    const rows = [
      row("deploy from empty", "pulumi up", "kubectl apply"),
      row("no change (preview / kubectl diff)", "pulumi preview", "kubectl diff"),
      row("no change applied again", undefined, "kubectl apply again"),
      row("add one team: preview", "pulumi preview +1", undefined),
      row("add one team: up", "pulumi up +1", undefined),
      [
        "add one team: preview + up",
        options.pulumi ? (seconds["pulumi preview +1"] + seconds["pulumi up +1"]).toFixed(1) : "",
        "",
        "",
        "",
        "",
      ],
      row("remove it: up", "pulumi up -1", undefined),
      row("delete everything (destroy / kubectl delete --wait)", "pulumi destroy", "kubectl delete"),
    ];
    const extra = [options.policy ? "policy pack" : "", ...Object.entries(options.env).map(([k, v]) => `${k}=${v}`)]
      .filter(Boolean)
      .join(", ");
    const stacks =
      layout.length > 1
        ? `; ${layout.length} stacks, the change and the no-change preview in ${changed.stack} (${changed.teams.length} teams)`
        : "";
    console.log(
      `${options.teams} teams, ${manifests.objects} Kubernetes objects${stacks}${extra ? ` (${extra})` : ""}; wall seconds, and CPU seconds (Pulumi's: program/engine/provider)`,
    );
    console.log(formatTable(["step", "pulumi", "kubectl", "ratio", "pulumi CPU", "kubectl CPU"], rows));
  } finally {
    await forKubectl.cleanUp(options.keep);
    await sandbox.cleanUp(options.keep);
    if (options.keep)
      console.error(`[bench:real] kept ${forKubectl.root} and ${sandbox.root} (commands.log has every command and its output)`);
  }
}

runCommand(() => main(parseArgs(process.argv.slice(2))));
