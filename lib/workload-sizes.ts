/**
 * Resource requests the code fixes rather than config: the components set them, and the config rule that every
 * pod fits a node (config/rules-capacity.ts) counts them, so both read them here.
 */

/** Defaults of every platform namespace's LimitRange, for containers of charts that declare no resources. */
export const PLATFORM_CONTAINER_DEFAULTS = { defaultRequest: { cpu: "50m", memory: "64Mi" }, default: { cpu: "500m", memory: "512Mi" } };

/** CPU is not in config; explicit limits keep the namespace's container defaults (500m) from throttling them. */
export const PROMETHEUS_CPU = { request: "500m", limit: "2" };
export const ELASTICSEARCH_CPU = { request: "500m", limit: "2" };

export const FLUENT_BIT_RESOURCES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

/**
 * Containers kube-prometheus-stack adds to a pod without resources, so each gets the namespace's default request:
 * the operator's config-reloader next to Prometheus and Alertmanager (the chart passes
 * `--config-reloader-*-request=0`, i.e. none), Grafana's dashboard and datasource sidecars.
 */
export const CHART_SIDECARS = { prometheus: 1, alertmanager: 1, grafana: 2 } as const;

/**
 * Requests of the DaemonSets the EKS add-ons run on every node, from their manifests: kube-proxy 100m; aws-node
 * and its network-policy agent 25m each (VPC CNI only); ebs-csi-node's driver, registrar and liveness probe
 * 10m/40Mi each (aws-ebs-csi-driver chart `node.resources`). calico-node requests nothing.
 */
export const EKS_NODE_DAEMONSETS = {
  kubeProxy: { cpu: "100m", memory: "0" },
  awsNode: { cpu: "50m", memory: "0" },
  ebsCsiNode: { cpu: "30m", memory: "120Mi" },
} as const;
