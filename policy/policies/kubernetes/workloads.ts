/** Workloads created directly by the program: no host access outside platform namespaces, images from known registries. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, matchesGlob, stringList } from "../common";
import { allContainers, namespaceOf, podSpecOf } from "./objects";
import { described } from "../catalogue";

/**
 * Namespaces whose agents need the host (node exporters, log shippers, CNI): the built-in ones and the
 * platform's own (config/rules.ts PLATFORM_NAMESPACES; a unit test keeps the two lists in step).
 */
export const DEFAULT_PLATFORM_NAMESPACES = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "monitoring",
  "logging",
  "logging-agents",
  "cert-manager",
  "cluster-autoscaler",
  "velero",
  "tigera-operator",
  "calico-system",
  "dex",
  "ci-runners",
  "arc-systems",
];

const hostAccessDefaults = { platformNamespaces: DEFAULT_PLATFORM_NAMESPACES };

export const noHostAccessOutsidePlatform: ResourceValidationPolicy = {
  ...described("k8s-no-host-access-outside-platform"),
  configSchema: {
    properties: { platformNamespaces: stringList(DEFAULT_PLATFORM_NAMESPACES) },
  },
  validateResource: (args, reportViolation) => {
    const spec = podSpecOf(args.type, args.props);
    if (!spec) return;
    const namespace = namespaceOf(args.props, args.provider);
    if (configOf(args, hostAccessDefaults).platformNamespaces.includes(namespace)) return;
    const where = `in namespace "${namespace}", which is not a platform namespace`;
    for (const container of allContainers(spec).filter((c) => c.securityContext?.privileged === true)) {
      reportViolation(`Container "${container.name}" is privileged ${where}.`);
    }
    for (const volume of (spec.volumes ?? []).filter((v) => v.hostPath !== undefined)) {
      reportViolation(`Volume "${volume.name}" mounts a hostPath ${where}.`);
    }
    if (spec.hostNetwork === true) reportViolation(`The pod uses the host network ${where}.`);
  },
};

/**
 * Every registry the platform pulls from: ECR (private repositories and the pull-through caches that mirror
 * Docker Hub and others), and upstreams whose images charts reference by default.
 */
export const DEFAULT_ALLOWED_REGISTRIES = [
  "*.dkr.ecr.*.amazonaws.com",
  "public.ecr.aws",
  "quay.io",
  "registry.k8s.io",
  "ghcr.io",
  "docker.elastic.co",
];

/** The registry host of an image reference; a reference without one (e.g. `nginx:1.27`) is Docker Hub's. */
export function registryOf(image: string): string {
  const [first, ...rest] = image.split("/");
  const isHost = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  return isHost ? first : "docker.io";
}

const registryDefaults = { allowedRegistries: DEFAULT_ALLOWED_REGISTRIES };

export const allowedRegistries: ResourceValidationPolicy = {
  ...described("k8s-allowed-registries"),
  configSchema: {
    properties: {
      allowedRegistries: stringList(DEFAULT_ALLOWED_REGISTRIES, {
        description: "Registry hosts; `*` matches one DNS label, e.g. *.dkr.ecr.*.amazonaws.com",
      }),
    },
  },
  validateResource: (args, reportViolation) => {
    const spec = podSpecOf(args.type, args.props);
    if (!spec) return;
    const { allowedRegistries } = configOf(args, registryDefaults);
    for (const container of allContainers(spec)) {
      if (container.image === undefined) continue;
      const registry = registryOf(container.image);
      if (!allowedRegistries.some((pattern) => matchesGlob(registry, pattern))) {
        reportViolation(
          `Container "${container.name}" uses image ${container.image} from ${registry}; allowed registries: ${allowedRegistries.join(", ")}.`,
        );
      }
    }
  },
};
