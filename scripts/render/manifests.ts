/** Kubernetes manifests and Helm release specs of a mock run, as reviewable YAML. */
import { stringify } from "yaml";
import { RecordedResource, StackRun } from "../../mock-engine";

const REDACTED = "<secret: set with pulumi config set --secret>";

/** Kubernetes objects grouped by namespace (`_cluster` for cluster-scoped ones), one YAML stream per group. */
export function manifestsByNamespace(run: StackRun): Map<string, string> {
  const groups = new Map<string, string[]>();
  for (const r of run.resources.filter(isKubernetesObject)) {
    const namespace = r.inputs.metadata?.namespace ?? "_cluster";
    groups.set(namespace, [...(groups.get(namespace) ?? []), stringify(toManifest(r, run.secretValues))]);
  }
  return new Map([...groups].map(([ns, docs]) => [ns, docs.join("---\n")]));
}

/** Helm charts cannot be templated offline; what is reviewable is the chart, version, namespace and values. */
export function helmReleases(run: StackRun): string {
  const releases = run.resources
    .filter((r) => r.type.startsWith("kubernetes:helm.sh/") || r.type === "kubernetes-cert-manager:index:CertManager")
    .map((r) => ({ name: r.name, type: r.type, ...(redactSecrets(r.inputs, run.secretValues) as object) }));
  return releases.map((r) => stringify(r)).join("---\n");
}

function isKubernetesObject(r: RecordedResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && r.inputs.kind !== undefined;
}

function toManifest(r: RecordedResource, secrets: string[]): unknown {
  const { apiVersion, kind, metadata, ...rest } = r.inputs;
  return redactSecrets({ apiVersion, kind, metadata, ...rest }, secrets);
}

/** Any string that carries a secret config value is shown as where the secret goes, never what it is. */
function redactSecrets(value: unknown, secrets: string[]): unknown {
  if (typeof value === "string") return secrets.some((secret) => value.includes(secret)) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, secrets));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, secrets)]));
  return value;
}
