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
import { PROJECT_DIR } from "../config/committed-stacks";
import { DEFAULT_MIRROR_DIR } from "./verify/mirror";
import { formatMarkdown, formatReport, objectName, Report } from "./verify/report";
import { withImages } from "./verify/images-check";
import { UNCHECKED_OK_OPTION } from "./verify/images-report";
import { verifyStack } from "./verify/run";
import { checkTools, requiredTools, withTools } from "./verify/tools";

const USAGE =
  "usage: npm run verify -- <stack> [--minor <x.y>] [--current-context] [--mirror <dir|url>] [--report <file>] [--markdown <file>] [--images [--images-unchecked-ok]]";
const CONTROL_PLANE = path.join(PROJECT_DIR, "scripts", "control-plane.sh");

async function main(argv: string[]): Promise<number> {
  const [stack, ...rest] = argv;
  if (!stack || stack.startsWith("-")) throw new Error(USAGE);
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    if (i >= 0 && !rest[i + 1]) throw new Error(`${name} needs a value; ${USAGE}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const withValue = ["--mirror", "--report", "--minor", "--markdown"];
  const known = new Set(["--current-context", "--images", UNCHECKED_OK_OPTION, ...withValue]);
  const unknown = rest.filter((a, i) => a.startsWith("--") && !known.has(a) && !withValue.includes(rest[i - 1]));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(", ")}; ${USAGE}`);

  const mirror = flag("--mirror") ?? process.env[CHART_MIRROR_ENV] ?? DEFAULT_MIRROR_DIR;
  const reportFile = path.resolve(flag("--report") ?? path.join(PROJECT_DIR, "out", stack, "verify.json"));
  const started = Date.now();
  const markdownFile = flag("--markdown");
  const kubernetesMinor = flag("--minor");
  if (kubernetesMinor && !/^1\.\d+$/.test(kubernetesMinor))
    throw new Error(`--minor ${kubernetesMinor}: expected a Kubernetes minor such as 1.34`);
  const onCluster = rest.includes("--current-context");
  // Every program checked before anything starts, each taken from TOOLCHAIN_BIN or .toolchain/bin ahead of PATH.
  const env = withTools(process.env);
  checkTools(requiredTools(onCluster ? "current-context" : "throwaway", kubernetesMinor), env);
  const verified = onCluster
    ? await onCurrentContext(stack, mirror, kubernetesMinor, env)
    : await onThrowaway(stack, mirror, kubernetesMinor, env);
  const uncheckedAccepted = rest.includes(UNCHECKED_OK_OPTION);
  const report =
    rest.includes("--images") || uncheckedAccepted
      ? await withImages(verified, { kubernetesMinor, mirror, uncheckedAccepted, env })
      : verified;

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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
