/**
 * `npm run bench:real -- --teams N [--policy] [--env KEY=VALUE]... [--no-delete] [--keep]`: the tenancy layer of N synthetic
 * teams (the `local` stack: namespaces, quotas, limits, network baselines, role bindings, and the cluster-wide
 * RBAC and guardrails) on a throwaway control plane, through the real Pulumi CLI with a file backend, and the
 * same objects through `kubectl apply --server-side`. Prints one table of wall times and the ratios.
 * A benchmark to read, not a timed test: nothing here can fail a build.
 *
 *   --policy            previews and updates run the policy pack as CI does (--policy-pack policy)
 *   --env KEY=VALUE     environment for every pulumi command, over the defaults: the state is written once per
 *                       update as scripts/local-up.sh does (PULUMI_SKIP_CHECKPOINTS=true; `--env
 *                       PULUMI_SKIP_CHECKPOINTS=false` measures a checkpoint after every step)
 *   --no-delete         skip `kubectl delete` and `pulumi destroy` (each waits for the namespace controller to
 *                       finalise every namespace: about 1.5 s a team here)
 *   --keep              keep the temporary directories (their commands.log has every command and its output)
 *
 * kubectl and Pulumi each get a control plane of their own, one after the other, so that neither waits for the
 * other's namespaces to be finalised.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { runStack } from "../test/harness";
import { Result } from "../test/e2e/support/commands";
import { Sandbox, STACK } from "../test/e2e/support/sandbox";
import { findToolchain } from "../test/e2e/support/toolchain";
import { formatTable, syntheticTeam, syntheticTeams } from "./bench/teams";

/** What scripts/local-up.sh sets for the stack's updates (docs/scale.md: the crash story). */
const LOCAL_UP_ENV = { PULUMI_SKIP_CHECKPOINTS: "true" };

interface Options {
  readonly teams: number;
  readonly policy: boolean;
  readonly env: Record<string, string>;
  readonly keep: boolean;
  readonly delete: boolean;
}

function parseArgs(argv: string[]): Options {
  let teams = 10;
  let policy = false;
  let keep = false;
  let deleteAll = true;
  const env: Record<string, string> = { ...LOCAL_UP_ENV };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--teams") teams = Number(argv[++i]);
    else if (arg === "--policy") policy = true;
    else if (arg === "--keep") keep = true;
    else if (arg === "--no-delete") deleteAll = false;
    else if (arg === "--env") {
      const [key, ...value] = (argv[++i] ?? "").split("=");
      if (!key || value.length === 0) throw new Error(`--env needs KEY=VALUE, got ${JSON.stringify(argv[i])}`);
      env[key] = value.join("=");
    } else throw new Error(`unknown argument ${arg}; usage: npm run bench:real -- --teams N [--policy] [--env KEY=VALUE]... [--no-delete] [--keep]`);
  }
  if (!Number.isInteger(teams) || teams < 1) throw new Error(`--teams must be a positive integer, got ${teams}`);
  return { teams, policy, env, keep, delete: deleteAll };
}

/** The objects the `local` stack deploys for these teams, as the mock engine sees them: cluster-scoped first. */
async function renderManifests(teams: number): Promise<{ yaml: string; objects: number }> {
  const run = await runStack(STACK, { configure: (c) => (c["platform:teams"] = syntheticTeams(teams)) });
  const objects = run.resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.inputs.kind !== undefined)
    .map((r) => {
      const { apiVersion, kind, metadata, ...rest } = r.inputs;
      return { apiVersion, kind, metadata, ...rest };
    });
  const rank = (o: { kind: string; metadata: { namespace?: string } }) => (o.kind === "Namespace" ? 0 : o.metadata.namespace === undefined ? 1 : 2);
  objects.sort((a, b) => rank(a) - rank(b));
  return { yaml: objects.map((o) => stringify(o)).join("---\n"), objects: objects.length };
}

async function main(options: Options): Promise<void> {
  const toolchain = findToolchain();
  if (!toolchain.ok) throw new Error(`the toolchain is incomplete (run bash scripts/toolchain.sh): ${toolchain.missing.join("; ")}`);
  const forKubectl = new Sandbox(toolchain.env);
  const sandbox = new Sandbox(toolchain.env);
  const seconds: Record<string, number> = {};
  const timed = async (label: string, command: Promise<Result>) => {
    const result = await command;
    seconds[label] = result.seconds;
    console.error(`[bench:real] ${label}: ${result.seconds.toFixed(1)} s`);
    return result;
  };
  const policy = options.policy ? ["--policy-pack", "policy", "--policy-pack-config", `policy/config/${STACK}.json`] : [];
  const pulumi = (args: string[]) => sandbox.pulumi([...args, ...policy], { env: options.env });
  const setTeams = (count: number) =>
    sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:teams"], doc.createNode([...syntheticTeams(options.teams), ...(count > options.teams ? [syntheticTeam(options.teams)] : [])])));

  try {
    const manifests = await renderManifests(options.teams);
    const manifestFile = path.join(forKubectl.root, "manifests.yaml");
    fs.writeFileSync(manifestFile, manifests.yaml);
    console.error(`[bench:real] ${options.teams} teams: ${manifests.objects} Kubernetes objects; working in ${forKubectl.root} and ${sandbox.root}`);

    await forKubectl.startControlPlane();
    const ssa = ["--server-side", "--field-manager", "bench", "-f", manifestFile];
    await timed("kubectl apply", forKubectl.kubectl(["apply", ...ssa]));
    await timed("kubectl apply again", forKubectl.kubectl(["apply", ...ssa]));
    // Exit 0: no difference, 1: differences (a failure of this bench: the objects just applied must match).
    await timed("kubectl diff", forKubectl.kubectl(["diff", "--server-side", "--field-manager", "bench", "-f", manifestFile]));
    if (options.delete) await timed("kubectl delete", forKubectl.kubectl(["delete", "--wait", "-f", manifestFile]));
    await forKubectl.cleanUp(options.keep);

    await sandbox.startControlPlane();
    sandbox.copyProject();
    await sandbox.pulumi(["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:cluster", "kubeconfig"], sandbox.kubeconfig));
    setTeams(options.teams);

    await timed("pulumi up", pulumi(["up", "--yes", "--skip-preview"]));
    await timed("pulumi preview", pulumi(["preview", "--expect-no-changes"]));
    setTeams(options.teams + 1);
    await timed("pulumi preview +1", pulumi(["preview"]));
    await timed("pulumi up +1", pulumi(["up", "--yes", "--skip-preview"]));
    setTeams(options.teams);
    await timed("pulumi up -1", pulumi(["up", "--yes", "--skip-preview"]));
    if (options.delete) await timed("pulumi destroy", pulumi(["destroy", "--yes", "--skip-preview"]));

    const s = (label: string) => seconds[label]?.toFixed(1) ?? "-";
    const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(1)}×` : "");
    const rows = [
      ["deploy from empty", s("pulumi up"), s("kubectl apply"), ratio(seconds["pulumi up"], seconds["kubectl apply"])],
      ["no change (preview / kubectl diff)", s("pulumi preview"), s("kubectl diff"), ratio(seconds["pulumi preview"], seconds["kubectl diff"])],
      ["no change applied again", "", s("kubectl apply again"), ""],
      ["add one team: preview", s("pulumi preview +1"), "", ""],
      ["add one team: up", s("pulumi up +1"), "", ""],
      ["add one team: preview + up", (seconds["pulumi preview +1"] + seconds["pulumi up +1"]).toFixed(1), "", ""],
      ["remove it: up", s("pulumi up -1"), "", ""],
      ["delete everything (destroy / kubectl delete --wait)", s("pulumi destroy"), s("kubectl delete"), ratio(seconds["pulumi destroy"], seconds["kubectl delete"])],
    ];
    const extra = [options.policy ? "policy pack" : "", ...Object.entries(options.env).map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(", ");
    console.log(`${options.teams} teams, ${manifests.objects} Kubernetes objects${extra ? ` (${extra})` : ""}; wall seconds`);
    console.log(formatTable(["step", "pulumi", "kubectl", "ratio"], rows));
  } finally {
    await forKubectl.cleanUp(options.keep);
    await sandbox.cleanUp(options.keep);
    if (options.keep) console.error(`[bench:real] kept ${forKubectl.root} and ${sandbox.root} (commands.log has every command and its output)`);
  }
}

main(parseArgs(process.argv.slice(2))).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
