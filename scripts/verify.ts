/**
 * `npm run verify -- <stack> [--current-context] [--mirror <dir|url>] [--report <file>] [--markdown <file>]`: the
 * preflight before `pulumi up`. Renders every chart of the stack with real Helm and puts every Kubernetes object,
 * the platform's own and the charts', in front of a real API server; runs the policy pack over all of it.
 *
 * By default on a throwaway control plane (scripts/control-plane.sh, from the toolchain); with
 * `--current-context` on the cluster of your current kube context, by server-side dry runs only: nothing
 * of that cluster changes. Charts come from `--mirror`, else PLATFORM_CHART_MIRROR (set but empty: each chart's
 * upstream repository), else ../shared/charts. helm, kubectl and the control plane's programs come from
 * TOOLCHAIN_BIN, else .toolchain/bin, else PATH (scripts/verify/tools.ts). `--markdown` also writes the report as
 * Markdown, for a pull request comment. `--images` also resolves every image the stack runs to its digest, and
 * checks its EKS add-on builds (scripts/verify/images-check.ts). Exits non-zero when a chart fails to render, an
 * object is refused, a workload's pods would break its namespace's Pod Security level, a mandatory policy is
 * violated, or, with `--images`, an image or build does not resolve or could not be checked (unless
 * `--images-unchecked-ok`). See docs/verify.md.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHART_MIRROR_ENV } from "../lib/chart-mirror";
import { committedStackConfig, PROJECT_DIR } from "../config/committed-stacks";
import { expectPositionals, given, parseCommandLine } from "./lib/args";
import { Refused, runCommand, UsageError } from "./lib/command";
import { chartMirrorSetting, currentKubeconfig } from "./lib/settings";
import { requireStack } from "./lib/stacks";
import { toolchainMinors } from "./lib/toolchain";
import { DEFAULT_MIRROR_DIR } from "./verify/mirror";
import { formatMarkdown, formatReport, objectName, Report } from "./verify/report";
import { withImages } from "./verify/images-check";
import { UNCHECKED_OK_OPTION } from "./verify/images-report";
import { verifyStack } from "./verify/run";
import { checkTools, requiredTools, withTools } from "./verify/tools";

const USAGE =
  "usage: npm run verify -- <stack> [--minor <x.y>] [--current-context] [--mirror <dir|url>] [--report <file>] [--markdown <file>] [--images [--images-unchecked-ok]]";
const CONTROL_PLANE = path.join(PROJECT_DIR, "scripts", "control-plane.sh");

const OPTIONS = {
  "--minor": { value: "<x.y>" },
  "--current-context": {},
  "--mirror": { value: "<dir|url>" },
  "--report": { value: "<file>" },
  "--markdown": { value: "<file>" },
  "--images": {},
  [UNCHECKED_OK_OPTION]: {},
};

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(argv, OPTIONS, USAGE);
  const [stack] = expectPositionals(line, ["<stack>"], USAGE);
  requireStack(stack, { environments: "all", shards: false }, USAGE);
  const kubernetesMinor = line.value("--minor");
  if (kubernetesMinor !== undefined) checkMinor(stack, kubernetesMinor);
  const mirror = checkedMirror(line.value("--mirror"));
  const reportFile = writableFile("--report", path.resolve(line.value("--report") ?? path.join(PROJECT_DIR, "out", stack, "verify.json")));
  const markdownFile = line.has("--markdown") ? writableFile("--markdown", line.value("--markdown")!) : undefined;
  const onCluster = line.has("--current-context");
  if (onCluster) currentKubeconfig(process.env, USAGE);
  const uncheckedAccepted = line.has(UNCHECKED_OK_OPTION);
  const started = Date.now();
  // Every program checked before anything starts, each taken from TOOLCHAIN_BIN or .toolchain/bin ahead of PATH.
  const env = refusing(() => withTools(process.env), USAGE);
  refusing(() => checkTools(requiredTools(onCluster ? "current-context" : "throwaway", kubernetesMinor), env));
  const verified = onCluster
    ? await onCurrentContext(stack, mirror, kubernetesMinor, env)
    : await onThrowaway(stack, mirror, kubernetesMinor, env);
  const report =
    line.has("--images") || uncheckedAccepted ? await withImages(verified, { kubernetesMinor, mirror, uncheckedAccepted, env }) : verified;

  console.log(formatReport(report));
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  fs.writeFileSync(reportFile, `${JSON.stringify(machineReadable(report), null, 2)}\n`);
  if (markdownFile) {
    fs.mkdirSync(path.dirname(path.resolve(markdownFile)), { recursive: true });
    fs.writeFileSync(markdownFile, `${formatMarkdown(report)}\n`);
  }
  console.log(`report: ${path.relative(process.cwd(), reportFile)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return report.failures.length === 0 ? 0 : 1;
}

/** `--minor`: the next minor the toolchain builds (kube-apiserver-<minor>), for a stack that names its Kubernetes version. */
function checkMinor(stack: string, minor: string): void {
  const { current, next } = toolchainMinors();
  if (!committedStackConfig(stack)?.["platform:cluster"]?.kubernetesVersion)
    throw new UsageError(
      `${given("--minor", minor)}: ${stack} names no platform:cluster.kubernetesVersion to verify another minor of; verify it without --minor`,
      USAGE,
    );
  if (minor !== next) {
    const own = minor === current ? `; ${current} is its own: verify without --minor` : "";
    throw new UsageError(
      `${given("--minor", minor)}: expected ${next}, the minor the toolchain builds beside its own (toolchain/kubernetes-next)${own}`,
      USAGE,
    );
  }
}

/** The chart mirror: --mirror, else PLATFORM_CHART_MIRROR (set but empty: upstream), else ../shared/charts. */
function checkedMirror(option: string | undefined): string {
  const setting = process.env[CHART_MIRROR_ENV];
  const mirror = option ?? setting ?? DEFAULT_MIRROR_DIR;
  const name =
    option !== undefined
      ? "--mirror"
      : setting !== undefined
        ? CHART_MIRROR_ENV
        : "the default mirror (no --mirror, no PLATFORM_CHART_MIRROR)";
  chartMirrorSetting(mirror, USAGE, name);
  return mirror;
}

/** A report's file: written over, never a directory. */
function writableFile(option: string, file: string): string {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory())
    throw new UsageError(`${given(option, file)}: expected a file to write, and it is a directory`, USAGE);
  return file;
}

/**
 * A TOOLCHAIN_BIN that is no directory is a setting refused with the usage; a missing tool, a missing prerequisite
 * refused with how to get it (scripts/verify/tools.ts).
 */
function refusing<T>(check: () => T, usage?: string): T {
  try {
    return check();
  } catch (error) {
    const message = (error as Error).message;
    throw usage ? new UsageError(message, usage) : new Refused(message);
  }
}

/** A control plane of the stack's minor, or of `kubernetesMinor` when verifying an upgrade. */
async function onThrowaway(stack: string, mirror: string, kubernetesMinor: string | undefined, env: NodeJS.ProcessEnv): Promise<Report> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verify-${stack}-`));
  const kubeconfig = execFileSync("bash", [CONTROL_PLANE, "start", dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...env, ...(kubernetesMinor ? { CP_KUBERNETES_MINOR: kubernetesMinor } : {}) },
  }).trim();
  try {
    return await verifyStack(stack, { mirror, kubeconfig, cluster: "throwaway", env, kubernetesMinor });
  } finally {
    execFileSync("bash", [CONTROL_PLANE, "stop", dir], { stdio: "ignore", env });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Your own cluster: the current context of KUBECONFIG (or ~/.kube/config), pinned so that nothing switches it mid-run. */
async function onCurrentContext(
  stack: string,
  mirror: string,
  kubernetesMinor: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Report> {
  const kubeconfig = env.KUBECONFIG?.split(path.delimiter)[0] || path.join(os.homedir(), ".kube", "config");
  const context = execFileSync("kubectl", ["config", "current-context", `--kubeconfig=${kubeconfig}`], { encoding: "utf8", env }).trim();
  console.log(`verifying ${stack} on context "${context}" (${kubeconfig}) by server-side dry runs only`);
  return verifyStack(stack, { mirror, kubeconfig, context, cluster: "current-context", env, kubernetesMinor });
}

/** The report without the objects' contents (they may carry secret values): what was checked and what came of it. */
function machineReadable(report: Report) {
  return {
    ...report,
    outcomes: report.outcomes.map((o) => ({
      component: o.candidate.component,
      source: o.candidate.source,
      apiVersion: o.candidate.object.apiVersion,
      object: objectName(o),
      status: o.status,
      detail: o.detail,
      warnings: o.warnings,
    })),
  };
}

runCommand(() => main(process.argv.slice(2)));
