/**
 * `npm run upgrade-plan -- <stack> <minor>`: what bumping `platform:cluster.kubernetesVersion` to `<minor>` does,
 * before anyone does it. Refuses any minor but the next; checks the rules (the environment that rehearses this one
 * already runs it; no blue/green swap left open), prints the order the engine applies the change in, every resource
 * whose inputs change (add-on builds, node groups, the autoscaler image), and verifies the stack at the target minor's API server (`npm run verify
 * -- <stack> --minor <minor>`): charts whose kubeVersion excludes it, objects whose API it no longer serves, and
 * the deprecations it warns about. See docs/upgrades.md.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { assumeEveryEnvironmentRuns, committedMinor, minorOf, REHEARSED_BY } from "../config/rules-upgrades";
import { CHART_MIRROR_ENV } from "../lib/chart-mirror";
import { ConfigError } from "../config/load";
import { evaluateStack, readStackConfig, StackRun } from "../mock-engine";
import { PROJECT_DIR } from "../config/committed-stacks";
import { expectPositionals, given, parseCommandLine } from "./lib/args";
import { runCommand, UsageError } from "./lib/command";
import { chartMirrorSetting } from "./lib/settings";
import { requireStack } from "./lib/stacks";
import { changesBetween } from "./upgrade-plan/changes";
import { swapsStillOpen, swapSteps } from "./upgrade-plan/pools";
import { DEFAULT_MIRROR_DIR } from "./verify/mirror";
import { objectName } from "./verify/report";
import { verifyStack } from "./verify/run";

const USAGE = "usage: npm run upgrade-plan -- <stack> <minor>   (e.g. prod 1.34)";
const TOOLCHAIN_BIN = path.join(PROJECT_DIR, ".toolchain", "bin");

/** The order the engine follows, from the program's dependencies (test/unit/upgrades.test.ts proves them). */
const ORDER = [
  "EKS control plane (aws:eks/cluster:Cluster): the API server moves to the new minor; workloads keep running",
  "add-ons nodes need before they join: kube-proxy, and the VPC CNI unless Calico is the CNI (their builds for the new minor)",
  "node groups (aws:eks/nodeGroup:NodeGroup) of rolling pools: EKS rolls them, at most `maxUnavailable` nodes at a time, draining each node through its PodDisruptionBudgets; blue/green pools' stay at their generation's minor until their swap",
  "add-ons that run on nodes: CoreDNS and the EBS CSI driver (their builds for the new minor)",
  "cluster autoscaler (helm.v4 Chart): the image of the new minor, which simulates that scheduler",
];

/** An EKS stack, and the one minor it can be upgraded to: EKS upgrades one minor at a time. */
function parseArguments(argv: readonly string[]): { stack: string; current: string; target: string } {
  const [stack, target] = expectPositionals(parseCommandLine(argv, {}, USAGE), ["<stack>", "<minor>"], USAGE);
  requireStack(stack, { environments: "aws", shards: false }, USAGE);
  const current = committedMinor(stack);
  if (!current) throw new UsageError(`${given("<stack>", stack)}: Pulumi.${stack}.yaml has no platform:cluster.kubernetesVersion`, USAGE);
  const next = `1.${minorOf(current) + 1}`;
  if (target !== next)
    throw new UsageError(
      `${given("<minor>", target)}: expected ${next}: ${stack} runs ${current}, and EKS upgrades one minor at a time`,
      USAGE,
    );
  return { stack, current, target };
}

async function main(argv: string[]): Promise<number> {
  const { stack, current, target } = parseArguments(argv);
  process.env[CHART_MIRROR_ENV] ??= DEFAULT_MIRROR_DIR;
  chartMirrorSetting(process.env[CHART_MIRROR_ENV], USAGE);
  const problems: string[] = [];
  const rehearsal = REHEARSED_BY[stack];
  const rehearsed = rehearsal && committedMinor(rehearsal);
  if (rehearsed && minorOf(rehearsed) < minorOf(target))
    problems.push(`${rehearsal} runs ${rehearsed}: upgrade ${rehearsal} to ${target} first (config rule upgradesAreRehearsed)`);
  const config = readStackConfig(stack);
  problems.push(...swapsStillOpen(config, target));

  console.log(`Upgrade plan: ${stack} ${current} → ${target}\n`);
  console.log(
    problems.length
      ? `Refused:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`
      : "Rules: rehearsed first where required; no blue/green swap left open. OK\n",
  );
  console.log(`Before the update: npm run backup -- ${stack} --wait   (the deploy workflow takes it for a version change)\n`);
  console.log(["Order:", ...ORDER.map((step, i) => `  ${i + 1}. ${step}`)].join("\n"), "\n");
  const swaps = swapSteps(config, target);
  if (swaps.length) console.log(["Blue/green pools (docs/upgrades.md):", ...swaps].join("\n"), "\n");

  const before = await evaluateStack(stack);
  // The refusal above is reported; what the upgrade would change is shown all the same.
  assumeEveryEnvironmentRuns(target);
  const after = await evaluateStack(stack, {
    configure: (c) => void (c["platform:cluster"] = { ...c["platform:cluster"], kubernetesVersion: target }),
  })
    .catch((error: unknown) => (error instanceof ConfigError ? error : Promise.reject(error)))
    .finally(() => assumeEveryEnvironmentRuns(undefined));
  if (after instanceof ConfigError) {
    console.log(`At ${target}, the stack's config is refused:\n${after.message}`);
    return 1;
  }
  const { changed, added, removed } = changesBetween(before, after);
  console.log(`Resources that change (${changed.length}), added (${added.length}), removed (${removed.length}):`);
  for (const change of changed) console.log(`  ~ ${change.type} ${change.name}\n${change.inputs.map((i) => `      ${i}`).join("\n")}`);
  for (const line of added) console.log(`  + ${line}`);
  for (const line of removed) console.log(`  - ${line}`);

  const verified = await verifyAtMinor(stack, target, after);
  console.log(`\n${verified.summary}`);
  return problems.length === 0 && verified.ok ? 0 : 1;
}

/** `npm run verify` at the target minor on a throwaway control plane of that minor, summarised for the plan. */
async function verifyAtMinor(stack: string, minor: string, run: StackRun): Promise<{ ok: boolean; summary: string }> {
  const apiserver = path.join(TOOLCHAIN_BIN, `kube-apiserver-${minor}`);
  if (!fs.existsSync(apiserver))
    return {
      ok: false,
      summary: `Not verified: no kube-apiserver ${minor} in .toolchain/bin (scripts/toolchain.sh builds the next minor, toolchain/kubernetes-next)`,
    };
  const env = { ...process.env, PATH: `${TOOLCHAIN_BIN}${path.delimiter}${process.env.PATH}` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `upgrade-${stack}-`));
  const control = path.join(PROJECT_DIR, "scripts", "control-plane.sh");
  const kubeconfig = execFileSync("bash", [control, "start", dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...env, CP_KUBERNETES_MINOR: minor },
  }).trim();
  try {
    const report = await verifyStack(stack, {
      mirror: process.env[CHART_MIRROR_ENV]!,
      kubeconfig,
      cluster: "throwaway",
      env,
      kubernetesMinor: minor,
      run,
    });
    const deprecated = report.outcomes.flatMap((o) =>
      o.warnings.filter((w) => /deprecated|unavailable in/i.test(w)).map((w) => `  ${objectName(o)}: ${w}`),
    );
    const lines = [
      `Verified at ${report.kubernetesVersion}: ${report.outcomes.filter((o) => o.status === "admitted").length} of ${report.outcomes.length} objects admitted, ${report.charts.length} charts rendered`,
      ...(report.failures.length
        ? ["Fails at the target minor:", ...report.failures.map((f) => `  ${f}`)]
        : ["No chart excludes it, no object uses an API it no longer serves."]),
      ...(deprecated.length ? ["Deprecated APIs in use (removed in a later minor):", ...deprecated] : ["No deprecated API in use."]),
    ];
    return { ok: report.failures.length === 0, summary: lines.join("\n") };
  } finally {
    execFileSync("bash", [control, "stop", dir], { stdio: "ignore", env });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runCommand(() => main(process.argv.slice(2)));
