/**
 * What the commands take from their environment, checked before they start anything: the programs they run, the
 * state backend and passphrase the pulumi CLI reads, the chart mirror, the kubeconfig. Each mistake is refused with
 * the variable, its value and what is expected.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { CHART_MIRROR_ENV, ChartMirror, chartMirror, ChartMirrorError, missingArchives } from "../../lib/chart-mirror";
import { CHARTS } from "../../lib/versions";
import { given } from "./args";
import { Refused, UsageError } from "./command";

export const MISSING_KUBECTL =
  "kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/), or here `bash scripts/toolchain.sh && source .toolchain/env.sh`";

/** Whether a file exists and may be run. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The full path of a program on the PATH of `env`, or a refusal saying how to get it. */
export function requireProgram(name: string, env: NodeJS.ProcessEnv, missing: string): string {
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  throw new Refused(missing);
}

/**
 * The go-cloud blob schemes of the DIY backends (pulumi pkg/backend/diy/backend.go, IsDIYBackendURL), and Pulumi
 * Cloud's https:// (or a self-hosted http://) service.
 */
const BACKEND_SCHEMES = ["file", "s3", "gs", "azblob", "https", "http"];

/** PULUMI_BACKEND_URL, when set, names a backend the CLI can log in to. */
export function checkBackendUrl(env: NodeJS.ProcessEnv, usage: string): void {
  const url = env.PULUMI_BACKEND_URL;
  if (url === undefined || url === "") return;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme && BACKEND_SCHEMES.includes(scheme)) return;
  throw new UsageError(
    `${given("PULUMI_BACKEND_URL", url)}: expected a state backend URL, ${BACKEND_SCHEMES.map((s) => `${s}://…`).join(", ")} ` +
      "(or unset it to use your `pulumi login`)",
    usage,
  );
}

/**
 * The secrets provider a stack file names. `secretsprovider:` names it (`awskms://…`, `passphrase`, …); without it,
 * a file with an `encryptionsalt:` is a passphrase stack, and one with neither uses the backend's default
 * (https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/).
 */
export function secretsProvider(text: string | undefined): string {
  if (text === undefined) return "none (the commit has no stack file)";
  const settings = (parse(text) ?? {}) as Record<string, unknown>;
  const named = typeof settings.secretsprovider === "string" ? settings.secretsprovider.trim() : "";
  if (named !== "") return named;
  return settings.encryptionsalt ? "passphrase" : "the backend's default (no secretsprovider or encryptionsalt)";
}

/**
 * A passphrase stack needs its passphrase: PULUMI_CONFIG_PASSPHRASE (set, even empty) or the file
 * PULUMI_CONFIG_PASSPHRASE_FILE names (pulumi pkg/secrets/passphrase/manager.go); without either the CLI would stop
 * half-way asking for it.
 */
export function checkPassphrase(stack: string, env: NodeJS.ProcessEnv, projectDir: string, usage: string): void {
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (file !== undefined && file !== "" && !(fs.existsSync(file) && fs.statSync(file).isFile())) {
    throw new UsageError(
      `${given("PULUMI_CONFIG_PASSPHRASE_FILE", file)}: expected a file holding the stacks' passphrase, and there is no such file`,
      usage,
    );
  }
  const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile) || secretsProvider(fs.readFileSync(stackFile, "utf8")) !== "passphrase") return;
  if (env.PULUMI_CONFIG_PASSPHRASE === undefined && !file) {
    throw new UsageError(
      `${stack} encrypts its secrets with a passphrase (Pulumi.${stack}.yaml), and neither PULUMI_CONFIG_PASSPHRASE nor ` +
        "PULUMI_CONFIG_PASSPHRASE_FILE is set: set one of them",
      usage,
    );
  }
}

/**
 * The chart mirror `value` names (PLATFORM_CHART_MIRROR's, or an option's), holding every pinned chart if it is a
 * directory; else a refusal.
 */
export function chartMirrorSetting(value: string | undefined, usage: string, name = CHART_MIRROR_ENV): ChartMirror {
  let mirror: ChartMirror;
  try {
    mirror = chartMirror(value);
  } catch (error) {
    if (error instanceof ChartMirrorError)
      throw new UsageError(error.message.replace(/; nothing was deployed$/, "").replace(`${CHART_MIRROR_ENV} = `, `${name} = `), usage);
    throw error;
  }
  const missing = missingArchives(mirror, Object.values(CHARTS));
  if (missing.length > 0) {
    throw new UsageError(
      `${given(name, value ?? "")}: expected a directory holding every pinned chart (lib/versions.ts CHARTS), ` +
        `and it lacks ${missing.map((file) => path.basename(file)).join(", ")}`,
      usage,
    );
  }
  return mirror;
}

/**
 * The kubeconfig file kubectl reads first (the first of KUBECONFIG's list, else ~/.kube/config), with a current
 * context that it defines.
 */
export function currentKubeconfig(env: NodeJS.ProcessEnv, usage: string): { file: string; context: string } {
  const setting = env.KUBECONFIG?.split(path.delimiter).find(Boolean);
  const file = setting ?? path.join(env.HOME ?? os.homedir(), ".kube", "config");
  const named = setting ? given("KUBECONFIG", env.KUBECONFIG!) : `${file} (KUBECONFIG is not set)`;
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new UsageError(`${named}: expected a kubeconfig file, and there is no such file`, usage);
  let config: { "current-context"?: string; contexts?: { name?: string }[] } | undefined;
  try {
    config = parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`${named}: expected a kubeconfig, and it is not YAML (${(error as Error).message.split("\n")[0]})`, usage);
  }
  const context = config?.["current-context"];
  const contexts = (config?.contexts ?? []).map((c) => c?.name).filter((name): name is string => typeof name === "string");
  if (!context || !contexts.includes(context)) {
    throw new UsageError(
      `${named}: expected a kubeconfig whose current-context is one of its contexts (${contexts.join(", ") || "it has none"}), ` +
        `got ${context ? JSON.stringify(context) : "none"}: choose one with \`kubectl config use-context <name>\``,
      usage,
    );
  }
  return { file, context };
}
