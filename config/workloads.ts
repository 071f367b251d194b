/**
 * The platform's pods whose size the config sets, as the scheduler sees them: each container's requests (and the
 * config key that sets it), and where the pod may run (tolerations, node selector). config/rules-capacity.ts
 * checks each against the node pools. Pods sized only in code (Kibana, Dex, operators, a few hundred MiB each)
 * are left out: no config key could make them fit.
 */
import {
  CHART_SIDECARS,
  EKS_NODE_DAEMONSETS,
  ELASTICSEARCH_CPU,
  FLUENT_BIT_RESOURCES,
  PLATFORM_CONTAINER_DEFAULTS,
  PROMETHEUS_CPU,
} from "../lib/workload-sizes";
import type { ContainerResources } from "./primitives";
import type { PlatformConfig } from "./schema";
import type { NodePoolConfig } from "./sections/cluster";

export interface Toleration {
  readonly key: string;
  readonly operator: "Equal";
  readonly value: string;
  readonly effect: string;
}

export interface Placement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
}

/** One container's requests; `cpuKey`/`memoryKey` are the config keys that set them (none: fixed in code). */
export interface ContainerRequest {
  readonly container: string;
  readonly cpu: string;
  readonly memory: string;
  readonly cpuKey?: string;
  readonly memoryKey?: string;
}

export interface PlatformPod {
  readonly name: string;
  /** The config section that sizes the pod. */
  readonly path: string;
  readonly containers: readonly ContainerRequest[];
  readonly placement: Placement;
  /** Keeps its data on a zonal EBS volume, so it can only run in that volume's AZ. */
  readonly stateful: boolean;
}

const ANYWHERE_UNTAINTED: Placement = { nodeSelector: {}, tolerations: [] };

/** Where a pod that selects a pool's labels and tolerates its taints runs: the hub's build runners. */
export function placementOn(pool: NodePoolConfig): Placement {
  return {
    nodeSelector: pool.labels,
    tolerations: pool.taints.map((t) => ({ key: t.key, operator: "Equal", value: t.value, effect: t.effect })),
  };
}

const configured = (container: string, resources: ContainerResources, key: string): ContainerRequest => ({
  container,
  ...resources.requests,
  cpuKey: `${key}.requests.cpu`,
  memoryKey: `${key}.requests.memory`,
});

/** Containers a chart adds without resources: each gets the platform namespace's default request. */
const chartSidecars = (count: number): ContainerRequest[] =>
  Array.from({ length: count }, () => ({ container: "chart sidecar", ...PLATFORM_CONTAINER_DEFAULTS.defaultRequest }));

export function platformPods(c: PlatformConfig): PlatformPod[] {
  const pods: PlatformPod[] = [];
  const { monitoring, logging } = c.observability;
  if (monitoring.enabled) {
    const base = "observability.monitoring";
    pods.push(
      {
        name: "Prometheus",
        path: `${base}.prometheus`,
        containers: [
          {
            container: "prometheus",
            cpu: PROMETHEUS_CPU.request,
            memory: monitoring.prometheus.memory,
            memoryKey: `${base}.prometheus.memory`,
          },
          ...chartSidecars(CHART_SIDECARS.prometheus),
        ],
        placement: ANYWHERE_UNTAINTED,
        stateful: true,
      },
      {
        name: "Alertmanager",
        path: `${base}.alertmanager`,
        containers: [
          configured("alertmanager", monitoring.alertmanager.resources, `${base}.alertmanager.resources`),
          ...chartSidecars(CHART_SIDECARS.alertmanager),
        ],
        placement: ANYWHERE_UNTAINTED,
        stateful: true,
      },
      {
        name: "Grafana",
        path: `${base}.grafana`,
        containers: [
          configured("grafana", monitoring.grafana.resources, `${base}.grafana.resources`),
          ...chartSidecars(CHART_SIDECARS.grafana),
        ],
        placement: ANYWHERE_UNTAINTED,
        stateful: false,
      },
    );
  }
  if (logging.enabled) {
    const key = "observability.logging.elasticsearch";
    pods.push({
      name: "Elasticsearch",
      path: key,
      containers: [
        { container: "elasticsearch", cpu: ELASTICSEARCH_CPU.request, memory: logging.elasticsearch.memory, memoryKey: `${key}.memory` },
      ],
      placement: ANYWHERE_UNTAINTED,
      stateful: true,
    });
  }
  const buildPool =
    c.admin && c.cluster.mode === "eks" ? c.cluster.nodePools.find((p) => p.name === c.admin!.ciRunners.nodePool) : undefined;
  if (c.admin && buildPool) {
    const key = "admin.ciRunners.build";
    const { runner, buildkit } = c.admin.ciRunners.build;
    pods.push({
      name: "the build runner",
      path: key,
      containers: [configured("runner", runner, `${key}.runner`), configured("buildkit", buildkit, `${key}.buildkit`)],
      placement: placementOn(buildPool),
      stateful: false,
    });
  }
  // The platform delivery runners run on Fargate, not on a pool (config/rules-ci.ts checks their Fargate shape).
  if (c.admin) {
    const key = "admin.ciRunners.deploy.resources";
    const resources = c.admin.ciRunners.deploy.resources;
    pods.push({
      name: "the deploy runner",
      path: key,
      containers: [configured("runner", resources, key)],
      placement: ANYWHERE_UNTAINTED,
      stateful: false,
    });
  }
  return pods;
}

/**
 * Requests of the DaemonSets every node runs (they tolerate the pools' NoSchedule taints): the EKS add-ons',
 * node-exporter (monitoring; the namespace's default request) and Fluent Bit (logging).
 */
export function nodeDaemonSets(c: PlatformConfig): { name: string; cpu: string; memory: string }[] {
  const calicoIsCni = c.calico?.mode === "cni";
  return [
    { name: "kube-proxy", ...EKS_NODE_DAEMONSETS.kubeProxy },
    ...(calicoIsCni ? [] : [{ name: "aws-node", ...EKS_NODE_DAEMONSETS.awsNode }]),
    { name: "ebs-csi-node", ...EKS_NODE_DAEMONSETS.ebsCsiNode },
    ...(c.observability.monitoring.enabled ? [{ name: "node-exporter", ...PLATFORM_CONTAINER_DEFAULTS.defaultRequest }] : []),
    ...(c.observability.logging.enabled ? [{ name: "fluent-bit", ...FLUENT_BIT_RESOURCES.requests }] : []),
  ];
}
