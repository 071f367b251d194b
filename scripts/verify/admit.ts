/**
 * Puts every object in front of the API server in dependency order. On a throwaway control plane what other
 * objects need at admission is stored for real (namespaces, CRDs, service accounts, priority classes, limit
 * ranges, quotas); everything else, and everything on a user's own cluster, is a server-side dry run, so that
 * webhook configurations are never registered and nothing of a user's cluster ever changes.
 */
import { KubeObject } from "./collect";
import { KubeApi, refusal } from "./kube";
import { isCrd } from "./helm";

export interface Candidate {
  readonly component: string;
  /** The Pulumi resource that declares the object (a chart's for rendered objects). */
  readonly source: string;
  /** Rendered by a chart (its source is then `<chart resource> (<chart> <version>)`). */
  readonly fromChart: boolean;
  readonly object: KubeObject;
  /** Where a namespaced object without a namespace lands: the chart's namespace, or the provider's default. */
  readonly defaultNamespace: string;
  /** Whether the Kubernetes provider waits for it to become ready (see awaits.ts). */
  readonly awaitedByPulumi: boolean;
}

export interface Outcome {
  readonly candidate: Candidate;
  readonly status: "admitted" | "rejected" | "not checked";
  readonly detail?: string;
  readonly warnings: string[];
}

/** Stored first, in this order: later objects are only admitted when these exist. */
const FOUNDATION_KINDS = ["Namespace", "CustomResourceDefinition"];
const PREREQUISITE_KINDS = ["PriorityClass", "ServiceAccount", "LimitRange", "ResourceQuota"];
/**
 * Kinds whose controller creates pods from a complete pod template in the object: the built-in workloads, and
 * ARC's runner scale sets (the runner pods). Operators that merge a partial template with their own defaults
 * (ECK's Elasticsearch and Kibana) are left out: their template alone is not the pod.
 */
const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "AutoscalingRunnerSet"];
const CONCURRENCY = 8;
const ENFORCE = "pod-security.kubernetes.io/enforce";

export class Admission {
  constructor(
    private readonly api: KubeApi,
    /** true on a throwaway control plane: prerequisites are stored; false: dry runs only. */
    private readonly storePrerequisites: boolean,
    /**
     * Namespaces (with their declared Pod Security level) and CRDs the stack itself creates, so that on a user's
     * cluster their absence, or a namespace's other level, is expected.
     */
    private readonly created: { namespaces: Map<string, string | undefined>; crds: Set<string> } = {
      namespaces: new Map(),
      crds: new Set(),
    },
  ) {}

  /** Namespaces, then CRDs (waiting until each is served). */
  async foundations(candidates: readonly Candidate[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const kind of FOUNDATION_KINDS) {
      const ofKind = candidates.filter((c) => c.object.kind === kind && (kind !== "CustomResourceDefinition" || isCrd(c.object)));
      for (const c of ofKind) {
        if (kind === "Namespace") this.created.namespaces.set(c.object.metadata.name!, c.object.metadata.labels?.[ENFORCE]);
        else this.created.crds.add(`${(c.object as any).spec.group}/${(c.object as any).spec.names.kind}`);
      }
      outcomes.push(...(await inBatches(ofKind, (c) => this.admitOne(c, this.storePrerequisites))));
    }
    if (this.storePrerequisites) await this.waitForCrds(outcomes);
    await this.api.discover();
    return outcomes;
  }

  /** Everything else: prerequisites, then all objects, then the pods each workload would create. */
  async objects(candidates: readonly Candidate[]): Promise<Outcome[]> {
    const rest = candidates.filter((c) => !FOUNDATION_KINDS.includes(c.object.kind));
    const prerequisites = rest.filter((c) => PREREQUISITE_KINDS.includes(c.object.kind));
    const others = rest.filter((c) => !PREREQUISITE_KINDS.includes(c.object.kind));
    const outcomes = await inBatches(prerequisites, (c) => this.admitOne(c, this.storePrerequisites));
    outcomes.push(...(await inBatches(others, (c) => this.admitWorkload(c))));
    return outcomes;
  }

  private async admitWorkload(c: Candidate): Promise<Outcome> {
    const outcome = await this.admitOne(c, false);
    const template = podTemplateOf(c.object);
    if (outcome.status !== "admitted" || !template) return outcome;
    const pod = await this.probePod(c, template);
    return pod ? { ...outcome, ...pod } : outcome;
  }

  /**
   * A workload's pods are admitted later, by its controller; Pod Security enforces on pods only. The pod its
   * template describes is dry-run created in the same namespace, so an `enforce` violation fails here.
   */
  private async probePod(c: Candidate, template: { metadata?: any; spec: any }): Promise<Pick<Outcome, "status" | "detail"> | undefined> {
    const namespace = this.namespaceOf(c);
    const levelChange = await this.podSecurityChange(namespace);
    if (levelChange) return { status: "not checked", detail: `admitted; its pods' Pod Security not checked: ${levelChange}` };
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `${c.object.metadata.name}-verify-pod`.slice(0, 253), namespace, labels: template.metadata?.labels },
      spec: template.spec,
    };
    const resource = this.api.resourceOf(pod)!;
    const response = await this.api.dryRunCreate(pod, resource);
    if (response.status < 300) return undefined;
    // On a user's cluster the stack's service accounts exist only as dry runs, and the API server reports a
    // missing one before Pod Security would judge the pod.
    if (!this.storePrerequisites && /serviceaccount|service account/i.test(refusal(response))) {
      return {
        status: "not checked",
        detail: "admitted; its pods' Pod Security not checked: their service account is created by this stack",
      };
    }
    return { status: "rejected", detail: `its pods would be refused: ${refusal(response)}` };
  }

  /**
   * On a user's cluster a namespace's labels are the live ones (the stack's are dry runs): when the stack
   * declares another enforce level, probing against the live one would judge by the wrong level.
   */
  private async podSecurityChange(namespace: string): Promise<string | undefined> {
    if (this.storePrerequisites || !this.created.namespaces.has(namespace)) return undefined;
    const declared = this.created.namespaces.get(namespace);
    const live = (await this.api.request("GET", `/api/v1/namespaces/${namespace}`)).body?.metadata?.labels?.[ENFORCE];
    return declared === live
      ? undefined
      : `namespace "${namespace}" enforces ${live ?? "nothing"} now and ${declared ?? "nothing"} once deployed`;
  }

  private async admitOne(c: Candidate, store: boolean): Promise<Outcome> {
    const resource = this.api.resourceOf(c.object);
    if (!resource) return this.unserved(c);
    const object = { ...c.object, metadata: { ...c.object.metadata } };
    if (resource.namespaced) object.metadata.namespace = this.namespaceOf(c);
    else delete object.metadata.namespace;
    const response = await this.api.apply(object, resource, !store);
    if (response.status < 300) return { candidate: c, status: "admitted", warnings: response.warnings };
    const namespace = object.metadata.namespace;
    if (!this.storePrerequisites && namespace && response.status === 404 && this.created.namespaces.has(namespace)) {
      return { candidate: c, status: "not checked", detail: `namespace "${namespace}" is created by this stack`, warnings: [] };
    }
    return { candidate: c, status: "rejected", detail: refusal(response), warnings: response.warnings };
  }

  private unserved(c: Candidate): Outcome {
    const [group] = c.object.apiVersion.split("/");
    if (!this.storePrerequisites && this.created.crds.has(`${group}/${c.object.kind}`)) {
      return { candidate: c, status: "not checked", detail: `its CRD is installed by this stack`, warnings: [] };
    }
    return {
      candidate: c,
      status: "rejected",
      detail: `the cluster serves no ${c.object.apiVersion} ${c.object.kind} (no CRD for it)`,
      warnings: [],
    };
  }

  private namespaceOf(c: Candidate): string {
    return c.object.metadata.namespace ?? c.defaultNamespace;
  }

  private async waitForCrds(outcomes: readonly Outcome[]): Promise<void> {
    const crds = outcomes.filter((o) => o.status === "admitted" && isCrd(o.candidate.object)).map((o) => o.candidate.object.metadata.name!);
    const deadline = Date.now() + 60_000;
    for (const name of crds) {
      for (;;) {
        const crd = (await this.api.request("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)).body;
        if (crd?.status?.conditions?.some((c: any) => c.type === "Established" && c.status === "True")) break;
        if (Date.now() > deadline) throw new Error(`CRD ${name} was not established within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

function podTemplateOf(object: KubeObject): { metadata?: any; spec: any } | undefined {
  if (!WORKLOAD_KINDS.includes(object.kind)) return undefined;
  const spec = object.spec as any;
  return object.kind === "CronJob" ? spec?.jobTemplate?.spec?.template : spec?.template;
}

async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}
