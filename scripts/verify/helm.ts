/**
 * Renders a chart with the real Helm CLI (built by scripts/toolchain.sh from helm.sh/helm/v3, the library the
 * Kubernetes provider itself renders with), as the provider would: `helm template` with the program's values,
 * the cluster's Kubernetes version and API versions, CRDs included unless skipped, test hooks left out (the
 * provider skips them too). Other hooks are rendered: a helm.v4 Chart applies them as ordinary objects, a
 * helm.v3 Release runs them as Jobs; either way the API server admits them.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parseAllDocuments } from "yaml";
import { ChartSpec, KubeObject } from "./collect";

const run = promisify(execFile);

export interface Capabilities {
  /** `v1.33.13`: what `.Capabilities.KubeVersion` reports. */
  readonly kubeVersion: string;
  /** `group/version` and `group/version/Kind` the cluster serves, as `.Capabilities.APIVersions.Has` asks. */
  readonly apiVersions: readonly string[];
}

export class RenderError extends Error {}

/** `env`: the environment helm runs in (its PATH finds the toolchain's helm). */
export async function renderChart(spec: ChartSpec, capabilities: Capabilities, env: NodeJS.ProcessEnv): Promise<KubeObject[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-values-"));
  const valuesFile = path.join(dir, "values.json");
  fs.writeFileSync(valuesFile, JSON.stringify(spec.values));
  const args = [
    "template",
    spec.releaseName,
    spec.chart,
    "--namespace",
    spec.namespace,
    "--version",
    spec.version,
    "--values",
    valuesFile,
    "--kube-version",
    capabilities.kubeVersion,
    "--skip-tests",
    ...(spec.repo ? ["--repo", spec.repo] : []),
    ...(spec.includeCrds ? ["--include-crds"] : []),
    ...capabilities.apiVersions.flatMap((v) => ["--api-versions", v]),
  ];
  try {
    const { stdout } = await run("helm", args, { maxBuffer: 256 * 1024 * 1024, env });
    return parseManifests(stdout);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new RenderError(stderr || (error as Error).message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every object of a YAML stream; `List` kinds are unwrapped as kubectl and the provider do. */
function parseManifests(stream: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(stream)) {
    if (doc.errors.length > 0) throw new RenderError(`the chart rendered invalid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as KubeObject | null;
    if (!value) continue;
    if (value.kind?.endsWith("List") && Array.isArray(value.items)) objects.push(...(value.items as KubeObject[]));
    else objects.push(value);
  }
  return objects;
}

export const isCrd = (o: KubeObject) => o.kind === "CustomResourceDefinition" && o.apiVersion.startsWith("apiextensions.k8s.io/");
