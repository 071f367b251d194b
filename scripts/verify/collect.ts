/**
 * What a stack puts into its cluster, read from a mock run: the platform's own Kubernetes objects, and every
 * Helm chart or release with the exact chart, version, values, namespace and release name the program passes.
 */
import { RecordedResource, StackRun } from "../../mock-engine";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The platform component an object or chart belongs to (its nearest `platform:` ancestor). */
export interface Owner {
  readonly component: string;
  /** URN of the resource that declares it (the object itself, or the Chart/Release). */
  readonly urn: string;
  readonly provider?: string;
}

export interface PlatformObject extends Owner {
  readonly resource: string;
  readonly object: KubeObject;
}

export interface ChartSpec extends Owner {
  /** The Pulumi resource: a helm.v4 Chart, a helm.v3 Release, or the cert-manager package's release. */
  readonly resource: string;
  readonly type: string;
  /** A chart name with `repo`, an `oci://` reference, or an archive path, as the program passes it. */
  readonly chart: string;
  readonly repo?: string;
  readonly version: string;
  readonly namespace: string;
  readonly releaseName: string;
  readonly values: Record<string, unknown>;
  readonly includeCrds: boolean;
  /** Whether the provider waits for each rendered object (a helm.v4 Chart without `skipAwait`). */
  readonly awaitsObjects: boolean;
  /**
   * Whether the chart's hooks reach the cluster. A helm.v4 Chart never applies them: the provider renders with
   * `DisableHooks` and registers only the release's manifest (pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go,
   * `cmd.DisableHooks = true`, then `provideryamlv2.Parse` of `release.Manifest`). A helm.v3 Release runs them as Helm
   * does on install and upgrade (test hooks only on `helm test`), unless it sets `disableHooks`.
   */
  readonly runsHooks: boolean;
}

const CHART = "kubernetes:helm.sh/v4:Chart";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const CERT_MANAGER = "kubernetes-cert-manager:index:CertManager";

export function collect(run: StackRun): { objects: PlatformObject[]; charts: ChartSpec[] } {
  const owner = (r: RecordedResource): Owner => ({ component: componentOf(run, r), urn: r.urn, provider: r.provider });
  const objects = run.resources.filter(isKubernetesObject).map((r) => ({ ...owner(r), resource: r.name, object: withName(r) }));
  const charts = run.resources.flatMap((r): ChartSpec[] => {
    if (r.type === CHART || r.type === RELEASE) return [{ ...owner(r), ...helmArgs(r, r.inputs, r.inputs.values ?? {}) }];
    if (r.type === CERT_MANAGER) return [{ ...owner(r), ...certManagerRelease(r) }];
    return [];
  });
  return { objects, charts };
}

function isKubernetesObject(r: RecordedResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && typeof r.inputs.kind === "string";
}

/** Pulumi auto-names an object without `metadata.name` (`<resource>-<random>`); verification names it `<resource>-verify`. */
function withName(r: RecordedResource): KubeObject {
  const object = structuredClone(r.inputs) as KubeObject;
  object.metadata = { ...object.metadata, name: object.metadata?.name ?? `${r.name}-verify` };
  return object;
}

function componentOf(run: StackRun, r: RecordedResource): string {
  for (let parent = r.parent; parent;) {
    const p = run.byUrn(parent);
    if (p.type.startsWith("platform:")) return p.name;
    parent = p.parent;
  }
  return "(stack)";
}

/** Chart v4 and Release v3 take the same source arguments; a release without `name` is named after the resource. */
function helmArgs(r: RecordedResource, args: Record<string, any>, values: Record<string, unknown>) {
  return {
    resource: r.name,
    type: r.type,
    chart: args.chart,
    repo: args.repositoryOpts?.repo,
    version: args.version,
    namespace: args.namespace ?? "default",
    releaseName: args.name ?? r.name,
    values,
    includeCrds: args.skipCrds !== true,
    awaitsObjects: r.type === CHART && args.skipAwait !== true,
    runsHooks: r.type !== CHART && args.disableHooks !== true,
  };
}

/**
 * The cert-manager package (pulumi/pulumi-kubernetes-cert-manager, provider/pkg/provider/chart.go) installs a
 * helm.v3 Release from `helmOptions`; every other argument is a top-level chart value, merged over
 * `helmOptions.values` (the typed arguments win).
 */
function certManagerRelease(r: RecordedResource) {
  const { helmOptions = {}, ...typed } = r.inputs;
  return helmArgs(r, helmOptions, { ...(helmOptions.values ?? {}), ...typed });
}
