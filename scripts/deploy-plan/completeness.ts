/**
 * Whether a saved plan can hold the whole update. A component the Kubernetes provider renders itself (a helm.v4
 * Chart, a yaml/v2 ConfigGroup) registers its objects only once its inputs are known: in a preview whose values
 * wait on what the update creates first (a first deploy: the cluster, its kubeconfig, the IRSA roles' ARNs; later,
 * a replaced role or cluster) it registers none and warns "Preview is incomplete"
 * (pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go). A plan saved from that preview holds no step for
 * those objects, and `pulumi up --plan` refuses each of them ("create is not allowed by the plan: no steps were
 * expected for this resource", pulumi pkg/resource/deploy/step_generator.go) after doing everything before them.
 */
import { PreviewJson, PreviewStep } from "../lib/preview-json";

const RENDERED_BY_THE_PROVIDER = new Set([
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:yaml/v2:ConfigGroup",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:kustomize/v2:Directory",
]);
const KEPT = new Set(["same", "create", "update", "replace", "create-replacement"]);
const INCOMPLETE = /Preview is incomplete/;

const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
const parentOf = (step: PreviewStep) => (step.newState ?? step.oldState)?.parent;

/** URNs of what the preview could not render: components that warned, or that registered no object. */
export function unrenderedAtPreview(preview: PreviewJson): string[] {
  const steps = preview.steps ?? [];
  const parents = new Set(steps.map(parentOf));
  const childless = steps.filter((step) => RENDERED_BY_THE_PROVIDER.has(typeOf(step.urn)) && KEPT.has(step.op) && !parents.has(step.urn));
  const warned = (preview.diagnostics ?? []).filter((d) => d.urn && INCOMPLETE.test(d.message ?? ""));
  return [...new Set([...childless.map((step) => step.urn), ...warned.map((d) => d.urn!)])].sort();
}
