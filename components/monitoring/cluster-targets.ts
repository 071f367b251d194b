/**
 * What kube-prometheus-stack 88.5.3 scrapes and alerts on, fitted to what EKS exposes (docs/observability.md,
 * "Default alert rules on EKS", has the outcome per rule group).
 */

/** Where the operator mounts Prometheus's own service-account token and the cluster CA. */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The only namespaces whose targets may receive Prometheus's token: the kubelets' Service and the API server's. */
const KUBELET_NAMESPACE = "kube-system";
const API_SERVER_NAMESPACE = "default";

/**
 * The scrape class that authenticates with Prometheus's service-account token (kubelets and the API server refuse
 * anonymous scrapes). Prometheus denies file paths in ServiceMonitors (`arbitraryFSAccessThroughSMs`), so the
 * token file is named here, by the platform, and a monitor only names the class. A class's relabelings run before
 * the monitor's own (prometheus-operator v0.93 pkg/prometheus/promcfg.go, generateServiceMonitorConfig), so a
 * team's monitor naming this class loses every target (it discovers only its own namespace) before its own
 * relabelings could send the token elsewhere.
 */
export const CLUSTER_CREDENTIALS_CLASS = "cluster-credentials";

export function clusterCredentialsScrapeClass() {
  return {
    name: CLUSTER_CREDENTIALS_CLASS,
    tlsConfig: { caFile: `${SERVICE_ACCOUNT_DIR}/ca.crt` },
    authorization: { type: "Bearer", credentialsFile: `${SERVICE_ACCOUNT_DIR}/token` },
    relabelings: [{ action: "keep", sourceLabels: ["__meta_kubernetes_namespace"], regex: `${KUBELET_NAMESPACE}|${API_SERVER_NAMESPACE}` }],
  };
}

/**
 * Chart values: no targets and no rules for what EKS keeps out of reach. The control plane's etcd, scheduler and
 * controller manager run in AWS's account. kube-proxy's metrics address is the EKS add-on's own: 127.0.0.1, the
 * upstream default, which the add-on's configuration schema has no field to change (aws/containers-roadmap#2420),
 * so its scrape fails on every node and fires KubeProxyInstanceUnreachable and TargetDown from the first day. The
 * chart's kubelet and API server monitors name file paths, which Prometheus refuses here: `kubeletMonitor` and
 * `apiServerMonitor` replace them. CoreDNS's metrics need no credentials, but the chart's monitor sends the token
 * file by default (88.5.3 values.yaml `coreDns.serviceMonitor.bearerTokenFile`): unset, so it is not refused too.
 */
export const EKS_TARGET_VALUES = {
  defaultRules: {
    create: true,
    rules: { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false },
  },
  kubeEtcd: { enabled: false },
  kubeControllerManager: { enabled: false },
  kubeScheduler: { enabled: false },
  kubeProxy: { enabled: false },
  kubelet: { serviceMonitor: { enabled: false } },
  kubeApiServer: { serviceMonitor: { enabled: false } },
  coreDns: { serviceMonitor: { bearerTokenFile: "" } },
};

/**
 * Default alerts that judge capacity against the nodes there are, which the cluster autoscaler makes wrong: it sizes
 * the pools to what pods request, so requests always exceed what the cluster keeps with its largest node gone (the
 * overcommit alerts' branch for clusters without control-plane nodes, as on EKS), and the teams' quotas, ceilings the
 * autoscaler meets by adding nodes, add up to more than 1.5 times the nodes' allocatable as soon as there are a few
 * teams (kube-prometheus-stack 88.5.3 templates/prometheus/rules-1.14/kubernetes-resources.yaml). Each would fire
 * from the first day and never stop; where the autoscaler runs, a pod that cannot be placed is what says capacity
 * is short (KubePodNotReady: a pod pending for 15 minutes).
 */
export const AUTOSCALED_CAPACITY_ALERTS = [
  "KubeCPUOvercommit",
  "KubeMemoryOvercommit",
  "KubeCPUQuotaOvercommit",
  "KubeMemoryQuotaOvercommit",
];

/** Labels the metrics path onto each series, as the chart's own monitors do (its rules and dashboards select on it). */
const METRICS_PATH_LABEL = [{ action: "replace", sourceLabels: ["__metrics_path__"], targetLabel: "metrics_path" }];

/**
 * The chart's kubelet monitor (88.5.3 values.yaml `kubelet.serviceMonitor`: kubelet, cAdvisor and probe endpoints,
 * with its series drops), through the credentials class instead of file paths. The kubelet serves a certificate
 * the cluster CA did not sign, hence `insecureSkipVerify`, as the chart has it.
 */
export function kubeletMonitor(release: string) {
  const endpoint = {
    port: "https-metrics",
    scheme: "https",
    tlsConfig: { insecureSkipVerify: true },
    honorLabels: true,
    honorTimestamps: true,
  };
  return {
    metadata: { name: `${release}-kubelet`, namespace: KUBELET_NAMESPACE },
    spec: {
      scrapeClass: CLUSTER_CREDENTIALS_CLASS,
      attachMetadata: { node: false },
      jobLabel: "k8s-app",
      namespaceSelector: { matchNames: [KUBELET_NAMESPACE] },
      // The Service the operator keeps for every node's kubelet (`prometheusOperator.kubeletService`).
      selector: { matchLabels: { "app.kubernetes.io/name": "kubelet", "k8s-app": "kubelet" } },
      endpoints: [
        {
          ...endpoint,
          metricRelabelings: [
            {
              action: "drop",
              sourceLabels: ["__name__", "le"],
              regex: "(csi_operations|storage_operation_duration)_seconds_bucket;(0.25|2.5|15|25|120|600)(\\.0)?",
            },
          ],
          relabelings: METRICS_PATH_LABEL,
        },
        {
          ...endpoint,
          path: "/metrics/cadvisor",
          interval: "10s",
          trackTimestampsStaleness: true,
          metricRelabelings: CADVISOR_DROPS,
          relabelings: METRICS_PATH_LABEL,
        },
        { ...endpoint, path: "/metrics/probes", relabelings: METRICS_PATH_LABEL },
      ],
    },
  };
}

const dropByName = (regex: string) => ({ action: "drop", sourceLabels: ["__name__"], regex });
/** 88.5.3 values.yaml `kubelet.serviceMonitor.cAdvisorMetricRelabelings`: series no default rule or dashboard reads. */
const CADVISOR_DROPS = [
  dropByName("container_cpu_(cfs_throttled_seconds_total|load_average_10s|system_seconds_total|user_seconds_total)"),
  dropByName(
    "container_fs_(io_current|io_time_seconds_total|io_time_weighted_seconds_total|reads_merged_total|sector_reads_total|sector_writes_total|writes_merged_total)",
  ),
  dropByName("container_memory_(mapped_file|swap)"),
  dropByName("container_(file_descriptors|tasks_state|threads_max)"),
  { action: "drop", sourceLabels: ["__name__", "scope"], regex: "container_memory_failures_total;hierarchy" },
  { action: "drop", sourceLabels: ["__name__", "interface"], regex: "container_network_.*;(cali|cilium|cni|lxc|nodelocaldns|tunl).*" },
  dropByName("container_spec.*"),
  { action: "drop", sourceLabels: ["id", "pod"], regex: ".+;" },
];

/** The chart's API server monitor (88.5.3 values.yaml `kubeApiServer`), through the credentials class. */
export function apiServerMonitor(release: string) {
  return {
    metadata: { name: `${release}-apiserver`, namespace: API_SERVER_NAMESPACE },
    spec: {
      scrapeClass: CLUSTER_CREDENTIALS_CLASS,
      jobLabel: "component",
      namespaceSelector: { matchNames: [API_SERVER_NAMESPACE] },
      selector: { matchLabels: { component: "apiserver", provider: "kubernetes" } },
      endpoints: [
        {
          port: "https",
          scheme: "https",
          tlsConfig: { serverName: "kubernetes", insecureSkipVerify: false },
          metricRelabelings: [
            {
              action: "drop",
              sourceLabels: ["__name__", "le"],
              regex:
                "(etcd_request|apiserver_request_slo|apiserver_request_sli|apiserver_request)_duration_seconds_bucket;(0\\.15|0\\.2|0\\.3|0\\.35|0\\.4|0\\.45|0\\.6|0\\.7|0\\.8|0\\.9|1\\.25|1\\.5|1\\.75|2|3|3\\.5|4|4\\.5|6|7|8|9|15|20|40|45|50)(\\.0)?",
            },
          ],
        },
      ],
    },
  };
}
