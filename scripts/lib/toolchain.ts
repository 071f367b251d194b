/**
 * The Kubernetes minors the toolchain builds (scripts/toolchain.sh from the pinned Go modules, toolchain/README.md):
 * its own, which the stacks run, and the next one, which upgrades go to and `verify --minor` checks against.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../config/committed-stacks";

export interface ToolchainMinors {
  /** `toolchain/kubernetes`: kube-apiserver, the control plane's default. */
  readonly current: string;
  /** `toolchain/kubernetes-next`: kube-apiserver-<minor>. */
  readonly next: string;
}

export function toolchainMinors(projectDir = PROJECT_DIR): ToolchainMinors {
  const minorOf = (module: string) => {
    const goMod = fs.readFileSync(path.join(projectDir, "toolchain", module, "go.mod"), "utf8");
    const version = /^\s*k8s\.io\/kubernetes v(\d+\.\d+)\.\d+/m.exec(goMod)?.[1];
    if (!version) throw new Error(`toolchain/${module}/go.mod pins no k8s.io/kubernetes version`);
    return version;
  };
  return { current: minorOf("kubernetes"), next: minorOf("kubernetes-next") };
}
