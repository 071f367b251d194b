/**
 * Where verify and the throwaway control plane find their programs: TOOLCHAIN_BIN (how CI hands them over), else
 * .toolchain/bin, else PATH; and one clear error naming every program that is missing, before anything starts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../config/committed-stacks";
import { checkTools, missingTools, requiredTools, withTools } from "../../scripts/verify/tools";

/** A directory holding executables of these names that fail at once. */
function binDir(names: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-tools-"));
  for (const name of names) fs.writeFileSync(path.join(dir, name), "#!/bin/sh\nexit 3\n", { mode: 0o755 });
  return dir;
}

test("a throwaway control plane needs the control plane's programs, a user's cluster only helm and kubectl", () => {
  expect(requiredTools("throwaway")).toEqual(["helm", "kubectl", "etcd", "kube-apiserver", "kube-controller-manager"]);
  expect(requiredTools("throwaway", "1.34")).toContain("kube-apiserver-1.34");
  expect(requiredTools("current-context")).toEqual(["helm", "kubectl"]);
});

test("TOOLCHAIN_BIN goes first on PATH, and the programs are found there", () => {
  const dir = binDir(requiredTools("throwaway"));
  const env = withTools({ TOOLCHAIN_BIN: dir, PATH: "/nonexistent" });
  expect(env.PATH?.split(path.delimiter)[0]).toBe(dir);
  expect(missingTools(requiredTools("throwaway"), env)).toEqual([]);
  expect(() => checkTools(requiredTools("throwaway"), env)).not.toThrow();
});

test("what is missing is named, with the two ways to provide it", () => {
  const dir = binDir(["helm", "kubectl"]);
  const env = withTools({ TOOLCHAIN_BIN: dir, PATH: "/nonexistent" });
  expect(() => checkTools(requiredTools("throwaway"), env)).toThrow(
    `verify needs etcd, kube-apiserver, kube-controller-manager, which TOOLCHAIN_BIN (${dir}) or PATH does not hold: ` +
      "build them with `bash scripts/toolchain.sh` (into .toolchain/bin), or set TOOLCHAIN_BIN to a directory that holds them",
  );
});

test("a TOOLCHAIN_BIN that is not a directory is refused", () => {
  expect(() => withTools({ TOOLCHAIN_BIN: "/nonexistent/bin", PATH: "/usr/bin" })).toThrow(
    "TOOLCHAIN_BIN=/nonexistent/bin: expected a directory holding the verify tools",
  );
});

test("scripts/control-plane.sh starts the programs of TOOLCHAIN_BIN", () => {
  const dir = binDir(["etcd", "kube-apiserver", "kube-controller-manager"]);
  const clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-tools-cp-"));
  const run = spawnSync("bash", [path.join(PROJECT_DIR, "scripts", "control-plane.sh"), "start", clusterDir], {
    env: { ...process.env, TOOLCHAIN_BIN: dir, CP_TIMEOUT: "2" },
    encoding: "utf8",
  });
  // The stand-in etcd exits at once, so the start fails, but only after launching the one it was given.
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain(`starting etcd (${dir}/etcd)`);
  fs.rmSync(clusterDir, { recursive: true, force: true });
});
