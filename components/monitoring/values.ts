/**
 * Values of kube-prometheus-stack 88.5.3 for Prometheus, Alertmanager and the operator; Grafana's are in grafana.ts.
 */
import { MonitoringConfig } from "../../config/sections/observability";
import { PROMETHEUS_CPU } from "../../lib/workload-sizes";
import { alertmanagerConfig, RECEIVER_SECRET } from "./alertmanager";
import { clusterCredentialsScrapeClass } from "./cluster-targets";
import { stackImageRegistries } from "./images";

/** Prometheus and Alertmanager replicas prefer different zones, so one zone's loss leaves one of each running. */
const ZONE_LABEL = "topology.kubernetes.io/zone";

/** Room left on the volume for the write-ahead log and compaction, beyond which Prometheus drops the oldest blocks. */
const TSDB_SHARE_OF_VOLUME = 0.85;

/** The operator's webhook port on the host network, where kubelet already holds the chart's default 10250. */
export const HOST_NETWORK_WEBHOOK_PORT = 10261;
/** The chart's default port of the operator's webhook (`prometheusOperator.tls.internalPort`). */
export const POD_NETWORK_WEBHOOK_PORT = 10250;

export interface StackValueSettings {
  readonly config: MonitoringConfig;
  /** The component's namespace: the only one whose ScrapeConfigs Prometheus takes. */
  readonly namespace: string;
  readonly storageClassName: string;
  /** Without routable pod addresses (Calico as the CNI) the control plane reaches the webhook on the host network. */
  readonly webhookOnHostNetwork: boolean;
  readonly images: ReturnType<typeof stackImageRegistries>;
}

const volume = (storageClassName: string, storageGiB: number) => ({
  volumeClaimTemplate: {
    spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${storageGiB}Gi` } } },
  },
});

/** `prometheusOperator`: its admission-webhook certificate from cert-manager rather than from Helm hook Jobs. */
export function operatorValues(settings: StackValueSettings) {
  return {
    ...settings.images.operator,
    admissionWebhooks: {
      // The chart then renders an Issuer and Certificates, and cert-manager injects the CA into both webhook
      // configurations; none of the `job-patch` hook templates render (88.5.3 templates/prometheus-operator/
      // admission-webhooks/job-patch/*.yaml all require `not certManager.enabled`).
      certManager: { enabled: true },
      // The chart's own PrometheusRules go through the webhook in the same apply that starts the operator.
      failurePolicy: "Ignore",
    },
    ...(settings.webhookOnHostNetwork ? { hostNetwork: true, tls: { internalPort: HOST_NETWORK_WEBHOOK_PORT } } : {}),
  };
}

/**
 * `prometheus`: sizes from config, and what a team's objects may make it do. Teams' ServiceMonitors, PodMonitors,
 * Probes and rules are selected in every namespace, but each monitor finds targets only in its own namespace
 * (`ignoreNamespaceSelectors`), and a ServiceMonitor naming a file (a bearer token, a key, a CA) is refused
 * (`arbitraryFSAccessThroughSMs.deny`; PodMonitors and Probes have no file fields). ScrapeConfigs may name any
 * address and any namespace, so only the platform's own (in this namespace) are selected.
 */
export function prometheusValues(settings: StackValueSettings) {
  const { prometheus } = settings.config;
  return {
    podDisruptionBudget: { enabled: prometheus.replicas > 1 },
    prometheusSpec: {
      image: settings.images.prometheus,
      replicas: prometheus.replicas,
      retention: prometheus.retention,
      retentionSize: `${Math.floor(prometheus.storageGiB * TSDB_SHARE_OF_VOLUME)}GB`,
      storageSpec: volume(settings.storageClassName, prometheus.storageGiB),
      resources: {
        requests: { cpu: PROMETHEUS_CPU.request, memory: prometheus.memory },
        limits: { cpu: PROMETHEUS_CPU.limit, memory: prometheus.memory },
      },
      podAntiAffinity: "soft",
      podAntiAffinityTopologyKey: ZONE_LABEL,
      // Select every ServiceMonitor, PodMonitor, Probe, ScrapeConfig and rule, not only those labelled for this
      // Helm release: teams ship their own.
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      probeSelectorNilUsesHelmValues: false,
      scrapeConfigSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
      // The chart renders this value with toYaml under the field: `false` renders nothing, an object renders
      // as is (88.5.3 templates/prometheus/prometheus.yaml).
      arbitraryFSAccessThroughSMs: { deny: true },
      // The operator then scopes each monitor to its own namespace before reading its selector
      // (pkg/prometheus/promcfg.go, getNamespacesFromNamespaceSelector); the chart moves its own kube-system and
      // default monitors into those namespaces.
      ignoreNamespaceSelectors: true,
      // An empty selector renders `{}`, every namespace; a null one cannot be rendered by the chart.
      scrapeConfigNamespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": settings.namespace } },
      scrapeClasses: [clusterCredentialsScrapeClass()],
    },
  };
}

/** `alertmanager`: sizes and receivers from config; teams' AlertmanagerConfigs route only their own namespace's alerts. */
export function alertmanagerValues(settings: StackValueSettings) {
  const { alertmanager } = settings.config;
  const { receivers } = alertmanager;
  return {
    podDisruptionBudget: { enabled: alertmanager.replicas > 1 },
    config: alertmanagerConfig(receivers),
    alertmanagerSpec: {
      image: settings.images.alertmanager,
      replicas: alertmanager.replicas,
      storage: volume(settings.storageClassName, alertmanager.storageGiB),
      secrets: receivers.length > 0 ? [RECEIVER_SECRET] : [],
      resources: alertmanager.resources,
      podAntiAffinity: "soft",
      podAntiAffinityTopologyKey: ZONE_LABEL,
      // The operator adds `namespace="<the config's namespace>"` to every route and inhibition rule of a team's
      // AlertmanagerConfig (pkg/alertmanager/amcfg.go, namespaceEnforcer): the chart's default `{}` means the same
      // today; stated, so that a chart default cannot widen it.
      alertmanagerConfigMatcherStrategy: { type: "OnNamespace" },
    },
  };
}
