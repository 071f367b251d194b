/**
 * Every Helm chart, container image and EKS add-on version the platform installs, in one reviewable place.
 * An upgrade is a one-line change here, previewed per environment like any other change.
 */

export interface ChartRef {
  /** Helm repository URL, or an `oci://` chart reference (then `repo` is empty). */
  readonly repo: string;
  readonly chart: string;
  readonly version: string;
}

export const CHARTS = {
  tigeraOperator: { repo: "https://docs.tigera.io/calico/charts", chart: "tigera-operator", version: "v3.33.1" },
  kubePrometheusStack: { repo: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "93.9.0" },
  eckOperator: { repo: "https://helm.elastic.co", chart: "eck-operator", version: "3.5.0" },
  fluentBit: { repo: "https://fluent.github.io/helm-charts", chart: "fluent-bit", version: "0.58.2" },
  oauth2Proxy: { repo: "https://oauth2-proxy.github.io/manifests", chart: "oauth2-proxy", version: "10.7.1" },
  certManager: { repo: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.21.2" },
  clusterAutoscaler: { repo: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.59.0" },
  velero: { repo: "https://vmware-tanzu.github.io/helm-charts", chart: "velero", version: "12.2.1" },
  dex: { repo: "https://charts.dexidp.io", chart: "dex", version: "0.25.2" },
  runnerController: { repo: "", chart: "oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set-controller", version: "0.15.0" },
  runnerScaleSet: { repo: "", chart: "oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set", version: "0.15.0" },
} satisfies Record<string, ChartRef>;

export const IMAGES = {
  elasticStack: "9.5.5",
  veleroPluginForAws: "velero/velero-plugin-for-aws:v1.14.2",
  dex: "ghcr.io/dexidp/dex:v2.45.1",
} as const;
