/**
 * Every container image a stack runs, read from the objects verify renders and admits: the `image` of every
 * container, init container and ephemeral container of every pod spec and pod template anywhere in an object
 * (Deployments, Jobs, CronJobs, ARC's AutoscalingRunnerSet, …), the images operators are told to run by a flag
 * or a custom resource, and the images operators derive themselves (images-operators.ts). An image that goes
 * through one of the environment's ECR pull-through caches (lib/images.ts throughMirror) is resolved at its
 * upstream: the cache has it only once a node pulled it, and imports it from there.
 */
import { RecordedResource, StackRun } from "../../mock-engine";
import { KubeObject } from "./collect";
import { ImageUser, operatorDerivedImages, SourcedObject } from "./images-operators";

export type { ImageUser, SourcedObject } from "./images-operators";

export interface StackImage {
  /** The reference as the nodes pull it. */
  readonly reference: string;
  /** Where it is resolved: its upstream when the reference goes through a pull-through cache, else the reference. */
  readonly upstream: string;
  /** The cache it comes through (`<account>.dkr.ecr.<region>.amazonaws.com/<prefix>`), if any. */
  readonly cache?: string;
  readonly users: readonly ImageUser[];
}

/** An ECR pull-through cache rule: `<registry>/<prefix>/<path>` caches `<upstream>/<path>`. */
export interface CacheRule {
  readonly prefix: string;
  readonly upstream: string;
}

const POD_CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"];
const PULL_THROUGH_CACHE_RULE = "aws:ecr/pullThroughCacheRule:PullThroughCacheRule";
/** Private ECR hosts (`<account>.dkr.ecr.<region>.amazonaws.com`, `.com.cn` in China). */
const ECR_HOST = /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
/** ECR names Docker Hub by its registry host; references name it docker.io. */
const DOCKER_HUB_REGISTRY = "registry-1.docker.io";

/**
 * Operator flags that name an image the operator runs, and when it does: prometheus-operator injects its config
 * reloader into every Prometheus and Alertmanager pod (`--prometheus-config-reloader`) and runs Thanos sidecars
 * from its default base image when a Prometheus asks for Thanos without an image; cert-manager runs its ACME
 * solver image for HTTP-01 challenges only (`--acme-http01-solver-image`).
 */
const IMAGE_FLAGS: readonly { flag: string; runsWhen: (objects: readonly KubeObject[]) => boolean }[] = [
  { flag: "--prometheus-config-reloader", runsWhen: (objects) => objects.some((o) => isMonitoring(o, "Prometheus", "Alertmanager")) },
  {
    flag: "--thanos-default-base-image",
    runsWhen: (objects) => objects.some((o) => isMonitoring(o, "Prometheus") && spec(o).thanos && !spec(o).thanos.image),
  },
  {
    flag: "--acme-http01-solver-image",
    runsWhen: (objects) =>
      objects.some((o) => /^(Cluster)?Issuer$/.test(o.kind) && (spec(o).acme?.solvers ?? []).some((s: { http01?: unknown }) => s.http01)),
  },
];
/** prometheus-operator's custom resources whose pods run `spec.image`. */
const IMAGE_IN_SPEC = ["Prometheus", "Alertmanager", "ThanosRuler"];

const spec = (o: KubeObject) => (o.spec ?? {}) as Record<string, any>;
const isMonitoring = (o: KubeObject, ...kinds: string[]) => o.apiVersion.startsWith("monitoring.coreos.com/") && kinds.includes(o.kind);

export function describeObject(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

/** The environment's pull-through cache rules, as the program creates them. */
export function cacheRulesOf(run: StackRun): CacheRule[] {
  return run
    .ofType(PULL_THROUGH_CACHE_RULE)
    .map((r: RecordedResource) => ({ prefix: r.inputs.ecrRepositoryPrefix, upstream: r.inputs.upstreamRegistryUrl }));
}

/** Every image the objects run, one entry per reference, in order of upstream. */
export function stackImages(objects: readonly SourcedObject[], caches: readonly CacheRule[]): StackImage[] {
  const all = objects.map((o) => o.object);
  const found: { reference: string; user: ImageUser }[] = [];
  for (const { component, object } of objects) {
    const where = describeObject(object);
    for (const container of podContainers(object)) {
      found.push({ reference: container.image, user: { component, where: `${where}, container ${container.name ?? "(unnamed)"}` } });
      for (const { flag, runsWhen } of IMAGE_FLAGS) {
        const image = flagValue([...(container.command ?? []), ...(container.args ?? [])], flag);
        if (image && runsWhen(all)) found.push({ reference: image, user: { component, where: `${where}, its ${flag}` } });
      }
    }
    if (isMonitoring(object, ...IMAGE_IN_SPEC) && typeof spec(object).image === "string")
      found.push({ reference: spec(object).image, user: { component, where: `${where}, spec.image` } });
  }
  found.push(...operatorDerivedImages(objects));

  const byReference = new Map<string, ImageUser[]>();
  for (const { reference, user } of found) {
    const users = byReference.get(reference) ?? [];
    if (!users.some((u) => u.component === user.component && u.where === user.where)) users.push(user);
    byReference.set(reference, users);
  }
  return [...byReference.entries()]
    .map(([reference, users]) => ({ reference, ...upstreamOf(reference, caches), users }))
    .sort((a, b) => a.upstream.localeCompare(b.upstream) || a.reference.localeCompare(b.reference));
}

interface Container {
  name?: string;
  image: string;
  command?: string[];
  args?: string[];
}

/** The containers of every pod spec or pod template anywhere in the object (a CronJob's sits three levels down). */
function podContainers(value: unknown): Container[] {
  if (Array.isArray(value)) return value.flatMap(podContainers);
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) =>
    POD_CONTAINER_LISTS.includes(key) && Array.isArray(child)
      ? child.filter((c): c is Container => typeof c?.image === "string" && c.image !== "")
      : podContainers(child),
  );
}

/** `--flag=value` or `--flag value`. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith(`${flag}=`)) return args[i].slice(flag.length + 1);
    if (args[i] === flag) return args[i + 1];
  }
  return undefined;
}

/** A reference through a pull-through cache, traced back to its upstream (Docker Hub's as `docker.io/…`). */
export function upstreamOf(reference: string, caches: readonly CacheRule[]): { upstream: string; cache?: string } {
  const [host, prefix, ...rest] = reference.split("/");
  const rule = ECR_HOST.test(host) && rest.length > 0 ? caches.find((c) => c.prefix === prefix) : undefined;
  if (!rule) return { upstream: reference };
  const upstreamHost = rule.upstream === DOCKER_HUB_REGISTRY ? "docker.io" : rule.upstream;
  return { upstream: `${upstreamHost}/${rest.join("/")}`, cache: `${host}/${prefix}` };
}
