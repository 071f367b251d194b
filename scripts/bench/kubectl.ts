/**
 * The same objects as the benchmark's stacks, through kubectl, each way on a control plane of its own: as users run
 * it (`apply --server-side`, whose default `--validate=strict` checks every object against the OpenAPI schema in the
 * client first), without that client-side validation (the API server still validates every object), and from
 * parallel clients without it. What the engine is compared with: the API server's own pace.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { runStack, StackRun } from "../../mock-engine";
import { Background } from "../../test/e2e/support/commands";
import { Sandbox, STACK } from "../../test/e2e/support/sandbox";
import { TOOLCHAIN_DIR } from "../../test/e2e/support/toolchain";
import { Steps } from "./steps";
import { StackTeams } from "./teams";

/** Clients applying at once in the parallel step: what the reference measurement used. */
export const KUBECTL_CLIENTS = 8;

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string };
}

/** The objects every stack of the layout deploys, as the mock engine sees them: namespaces, then cluster-scoped. */
export async function renderObjects(layout: readonly StackTeams[]): Promise<KubernetesObject[]> {
  const runs: StackRun[] = [];
  for (const { stack, teams } of layout) {
    runs.push(await runStack(stack, { configure: (c) => (c["platform:teams"] = teams), stackOutputs: { [STACK]: runs[0]?.outputs } }));
  }
  const objects = runs
    .flatMap((run) => run.resources)
    .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.inputs.kind !== undefined)
    .map((r) => {
      const { apiVersion, kind, metadata, ...rest } = r.inputs;
      return { apiVersion, kind, metadata, ...rest } as KubernetesObject;
    });
  const rank = (o: KubernetesObject) => (o.kind === "Namespace" ? 0 : o.metadata.namespace === undefined ? 1 : 2);
  return objects.sort((a, b) => rank(a) - rank(b));
}

function writeManifest(file: string, objects: readonly KubernetesObject[]): string {
  fs.writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
  return file;
}

/**
 * The objects in `clients` files, whole namespaces each (a namespace before its objects, so that one client's
 * apply never waits for another's), cluster-scoped objects in the first.
 */
function splitByNamespace(objects: readonly KubernetesObject[], clients: number): KubernetesObject[][] {
  const groups = new Map<string, KubernetesObject[]>();
  for (const o of objects) {
    const key = o.metadata.namespace ?? (o.kind === "Namespace" ? o.metadata.name : "");
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const files: KubernetesObject[][] = Array.from({ length: clients }, () => []);
  [...groups.values()].forEach((group, i) => files[i % clients].push(...group));
  return files.filter((file) => file.length > 0);
}

export interface KubectlOptions {
  readonly keep: boolean;
  readonly delete: boolean;
}

/** Every kubectl step, each way on a fresh control plane (a control plane started, used, stopped). */
export async function measureKubectl(
  toolchainEnv: NodeJS.ProcessEnv,
  objects: readonly KubernetesObject[],
  options: KubectlOptions,
  steps: Steps,
): Promise<void> {
  const onControlPlane = async (use: (box: Sandbox, kubectl: (args: string[]) => Background) => Promise<void>) => {
    const box = new Sandbox(toolchainEnv);
    const kubectl = (args: string[]) =>
      box.commands.start(path.join(TOOLCHAIN_DIR, "bin/kubectl"), args, { cwd: box.root, env: box.env, allowFailure: true });
    try {
      await box.startControlPlane();
      await use(box, kubectl);
    } finally {
      await box.cleanUp(options.keep);
    }
  };
  const ssa = ["--server-side", "--field-manager", "bench"];

  await onControlPlane(async (box, kubectl) => {
    const all = writeManifest(path.join(box.root, "manifests.yaml"), objects);
    await steps.step("kubectl apply", (run) => run(kubectl(["apply", ...ssa, "-f", all])));
  });
  await onControlPlane(async (box, kubectl) => {
    const all = writeManifest(path.join(box.root, "manifests.yaml"), objects);
    const unvalidated = [...ssa, "--validate=false", "-f", all];
    await steps.step("kubectl apply --validate=false", (run) => run(kubectl(["apply", ...unvalidated])));
    await steps.step("kubectl apply again", (run) => run(kubectl(["apply", ...unvalidated])));
    // Exit 0: no difference, 1: differences (a failure of this bench: the objects just applied must match). diff has
    // no client-side validation to turn off.
    await steps.step("kubectl diff", (run) => run(kubectl(["diff", ...ssa, "-f", all])));
    if (options.delete) await steps.step("kubectl delete", (run) => run(kubectl(["delete", "--wait", "-f", all])));
  });
  await onControlPlane(async (box, kubectl) => {
    const files = splitByNamespace(objects, KUBECTL_CLIENTS).map((part, i) => writeManifest(path.join(box.root, `part-${i}.yaml`), part));
    await steps.step("kubectl apply, parallel clients", (run) =>
      Promise.all(files.map((file) => run(kubectl(["apply", ...ssa, "--validate=false", "-f", file])))),
    );
  });
}
