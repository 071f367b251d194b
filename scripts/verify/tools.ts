/**
 * Where verify finds its programs: helm and kubectl always, and for a throwaway control plane etcd,
 * kube-apiserver and kube-controller-manager. They are taken from `TOOLCHAIN_BIN` when it is set (CI puts
 * official or freshly built binaries there), else from .toolchain/bin (scripts/toolchain.sh), else from PATH; the
 * directory goes first on PATH, for verify and for scripts/control-plane.sh, which honours the same variable.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../config/committed-stacks";
import { isExecutable } from "../lib/settings";

export const TOOLCHAIN_BIN_ENV = "TOOLCHAIN_BIN";
const DEFAULT_TOOLCHAIN_BIN = path.join(PROJECT_DIR, ".toolchain", "bin");

/** The programs a run needs: a throwaway control plane of `minor` (its `kube-apiserver-<minor>`) or a user's cluster. */
export function requiredTools(cluster: "throwaway" | "current-context", minor?: string): string[] {
  if (cluster === "current-context") return ["helm", "kubectl"];
  return ["helm", "kubectl", "etcd", minor ? `kube-apiserver-${minor}` : "kube-apiserver", "kube-controller-manager"];
}

/** `env` with the tool directory first on PATH; a `TOOLCHAIN_BIN` that is not a directory is an error. */
export function withTools(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const given = env[TOOLCHAIN_BIN_ENV];
  if (given && !isDirectory(given)) throw new Error(`${TOOLCHAIN_BIN_ENV}=${given}: expected a directory holding the verify tools`);
  const dir = given ? path.resolve(given) : isDirectory(DEFAULT_TOOLCHAIN_BIN) ? DEFAULT_TOOLCHAIN_BIN : undefined;
  return dir ? { ...env, PATH: `${dir}${path.delimiter}${env.PATH ?? ""}` } : { ...env };
}

/** The tools of `names` that no PATH entry of `env` holds as an executable file. */
export function missingTools(names: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  return names.filter((name) => !dirs.some((dir) => isExecutable(path.join(dir, name))));
}

/** One error naming every missing tool and the two ways to provide them. */
export function checkTools(names: readonly string[], env: NodeJS.ProcessEnv): void {
  const missing = missingTools(names, env);
  if (missing.length === 0) return;
  const where = env[TOOLCHAIN_BIN_ENV] ? `${TOOLCHAIN_BIN_ENV} (${env[TOOLCHAIN_BIN_ENV]}) or PATH` : ".toolchain/bin or PATH";
  throw new Error(
    `verify needs ${missing.join(", ")}, which ${where} does not hold: build them with \`bash scripts/toolchain.sh\` ` +
      `(into .toolchain/bin), or set ${TOOLCHAIN_BIN_ENV} to a directory that holds them`,
  );
}

function isDirectory(dir: string): boolean {
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory();
}
