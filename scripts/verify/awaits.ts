/**
 * What the API server admits can still hang a deploy: the Kubernetes provider waits for every object it
 * registers itself (the program's own, and each object of a helm.v4 Chart) to become ready, and an Ingress is
 * ready only once a controller has given it an address. An Ingress whose class no controller of this stack
 * (nor of the cluster) serves makes `pulumi up` wait its ten minutes and fail. A helm.v3 Release's objects
 * are Helm's to wait for, and Helm does not wait for Ingresses.
 */
import { Candidate } from "./admit";
import { KubeApi } from "./kube";

const SKIP_AWAIT = "pulumi.com/skipAwait";

function isAwaited(candidate: Candidate): boolean {
  return candidate.awaitedByPulumi && candidate.object.metadata.annotations?.[SKIP_AWAIT] !== "true";
}

/** One failure per awaited Ingress whose class nobody serves. */
export async function unservedIngresses(api: KubeApi, stack: string, candidates: readonly Candidate[]): Promise<string[]> {
  const existing = (await api.request("GET", "/apis/networking.k8s.io/v1/ingressclasses")).body?.items ?? [];
  const served = new Set<string>([
    ...existing.map((c: { metadata: { name: string } }) => c.metadata.name),
    ...candidates.filter((c) => c.object.kind === "IngressClass").map((c) => c.object.metadata.name!),
  ]);
  return candidates
    .filter((c) => c.object.kind === "Ingress" && isAwaited(c))
    .flatMap((c) => {
      const ingressClass = (c.object.spec as any)?.ingressClassName ?? c.object.metadata.annotations?.["kubernetes.io/ingress.class"];
      if (ingressClass && served.has(ingressClass)) return [];
      const { namespace, name } = c.object.metadata;
      return [
        `${stack}: ${c.component}: Ingress ${namespace}/${name} (${c.source}) would make \`pulumi up\` wait ten minutes and fail: ` +
          `its class "${ingressClass ?? "(none)"}" has no IngressClass in this stack or the cluster, so no controller will give it an address`,
      ];
    });
}
