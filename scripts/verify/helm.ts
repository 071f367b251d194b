/**
 * Renders a chart with the real Helm CLI (built by scripts/toolchain.sh from helm.sh/helm/v3, the library the
 * Kubernetes provider itself renders with), into exactly the objects a deploy puts in front of the API server:
 * `helm template` with the program's values, the cluster's Kubernetes version and API versions, CRDs included
 * unless skipped. Hooks as the chart's resource type treats them: a helm.v4 Chart drops every hook (the provider
 * renders with `DisableHooks` and registers only the release's manifest), so `--no-hooks`; a helm.v3 Release runs
 * its install and upgrade hooks as Helm does, and its test hooks only on `helm test`, so `--skip-tests` (Helm's
 * cmd/helm/template.go appends `rel.Hooks` to the manifest unless `--no-hooks`, skipping test hooks with
 * `--skip-tests`).
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
  try {
    const { stdout } = await run("helm", templateArgs(spec, capabilities, valuesFile), { maxBuffer: 256 * 1024 * 1024, env });
    return parseManifests(stdout);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new RenderError(stderr || (error as Error).message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` arguments that render what the chart's resource type applies (see above). */
export function templateArgs(spec: ChartSpec, capabilities: Capabilities, valuesFile: string): string[] {
  return [
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
    spec.runsHooks ? "--skip-tests" : "--no-hooks",
    ...(spec.repo ? ["--repo", spec.repo] : []),
    ...(spec.includeCrds ? ["--include-crds"] : []),
    ...capabilities.apiVersions.flatMap((v) => ["--api-versions", v]),
  ];
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
