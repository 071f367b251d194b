/**
 * Finds the real-engine toolchain that scripts/toolchain.sh installs in .toolchain/, and the environment of
 * its .toolchain/env.sh, without installing anything: the suite decides from this whether it can run.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { isExecutable } from "../../../scripts/lib/settings";

export const PROJECT_DIR = path.resolve(__dirname, "../../..");
export const TOOLCHAIN_DIR = path.join(PROJECT_DIR, ".toolchain");
const ENV_FILE = path.join(TOOLCHAIN_DIR, "env.sh");
const BINARIES = ["pulumi", "pulumi-language-nodejs", "etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "helm", "actionlint"];

export type Toolchain = { ok: true; env: NodeJS.ProcessEnv } | { ok: false; missing: string[] };

/** The toolchain if it is complete, else what is missing (each item says what to look at). */
export function findToolchain(): Toolchain {
  if (!fs.existsSync(ENV_FILE)) return { ok: false, missing: [".toolchain/env.sh (written by scripts/toolchain.sh)"] };
  const env = sourcedEnv(ENV_FILE);
  const next = nextMinor(env);
  const binaries = [...BINARIES, ...(next ? [`kube-apiserver-${next}`] : [])];
  const missing = binaries
    .filter((binary) => !isExecutable(path.join(TOOLCHAIN_DIR, "bin", binary)))
    .map((binary) => `.toolchain/bin/${binary}`);
  const plugin = kubernetesPluginPath(env);
  if (!isExecutable(plugin))
    missing.push(`the kubernetes resource plugin in the Pulumi plugin cache (${path.relative(PROJECT_DIR, plugin)})`);
  if (fs.existsSync(`${path.dirname(plugin)}.partial`))
    missing.push(`a complete kubernetes plugin install (${path.relative(PROJECT_DIR, path.dirname(plugin))}.partial exists)`);
  return missing.length === 0 ? { ok: true, env } : { ok: false, missing };
}

/** The next Kubernetes minor the toolchain builds an API server for (toolchain/kubernetes-next), e.g. `1.34`. */
export function nextMinor(env: NodeJS.ProcessEnv): string | undefined {
  return env.KUBERNETES_NEXT_VERSION?.replace(/^v/, "").split(".").slice(0, 2).join(".");
}

/** Whether the suite runs in CI, where a missing toolchain is a failure instead of a skip. */
export function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/** The process environment after `source .toolchain/env.sh`, read by bash itself so that no quoting rule is reimplemented. */
function sourcedEnv(file: string): NodeJS.ProcessEnv {
  const dump = execFileSync("bash", ["-c", 'source "$1" && env -0', "env.sh", file], { encoding: "utf8" });
  const env: NodeJS.ProcessEnv = {};
  for (const entry of dump.split("\0")) {
    const equals = entry.indexOf("=");
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return env;
}

/** The engine asks for the plugin version of the @pulumi/kubernetes package the program loads. */
function kubernetesPluginPath(env: NodeJS.ProcessEnv): string {
  const version =
    env.PULUMI_KUBERNETES_PLUGIN_VERSION ??
    (JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "node_modules/@pulumi/kubernetes/package.json"), "utf8")) as { version: string })
      .version;
  const home = env.PULUMI_HOME ?? path.join(TOOLCHAIN_DIR, "pulumi-home");
  return path.join(home, "plugins", `resource-kubernetes-v${version}`, "pulumi-resource-kubernetes");
}
