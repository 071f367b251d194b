import { archivePath, ChartMirror, chartMirror, chartName } from "./chart-mirror";

/**
 * Every Helm chart, container image and EKS add-on version the platform installs, in one reviewable place.
 * An upgrade is a one-line change here, previewed per environment like any other change.
 */

export interface ChartRef {
  /** Helm repository URL, or an `oci://` chart reference (then `repo` is empty). */
  readonly repo: string;
  readonly chart: string;
  readonly version: string;
  /**
   * What the chart's templates look up in the cluster while they render, with the values the program gives it:
   * a preview renders with the pipeline's read-only identity, which is granted exactly these
   * (components/pipeline-access). Every `lookup` in a pinned archive is accounted for in
   * test/unit/chart-lookups.test.ts.
   */
  readonly renderLookups?: readonly RenderLookup[];
}

/** A Secret a chart's template reads by name while it renders (Helm's `lookup`). */
export interface RenderLookup {
  readonly kind: "Secret";
  readonly namespace: string;
  readonly name: string;
}

/**
 * The `chart`, `version` and `repositoryOpts` arguments of a Helm chart or release: from its pinned upstream
 * source, or from the chart mirror when one is set (lib/chart-mirror.ts).
 */
export function chartSource(
  ref: ChartRef,
  mirror: ChartMirror = chartMirror(),
): { chart: string; version: string; repositoryOpts?: { repo: string } } {
  const name = chartName(ref.chart);
  switch (mirror.kind) {
    case "upstream":
      return { chart: ref.chart, version: ref.version, ...(ref.repo ? { repositoryOpts: { repo: ref.repo } } : {}) };
    case "repository":
      return { chart: name, version: ref.version, repositoryOpts: { repo: mirror.url } };
    case "oci":
      return { chart: `${mirror.url}/${name}`, version: ref.version };
    case "directory":
      return { chart: archivePath(mirror.dir, ref.chart, ref.version), version: ref.version };
  }
}

/** `registry/path:tag` as chart values usually want it: repository and tag apart. */
export function splitImage(image: string): { repository: string; tag: string } {
  const colon = image.lastIndexOf(":");
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}

export const CHARTS = {
  tigeraOperator: { repo: "https://docs.tigera.io/calico/charts", chart: "tigera-operator", version: "v3.32.1" },
  // Since v3.32 the tigera-operator chart ships no CRDs; this chart of the same release holds the
  // crd.projectcalico.org/v1 and operator.tigera.io/v1 CRDs (release assets of projectcalico/calico v3.32.1,
  // charts/crd.projectcalico.org.v1/README.md). Keep both versions equal.
  calicoCrds: { repo: "https://docs.tigera.io/calico/charts", chart: "crd.projectcalico.org.v1", version: "v3.32.1" },
  kubePrometheusStack: { repo: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "88.5.3" },
  eckOperator: { repo: "https://helm.elastic.co", chart: "eck-operator", version: "3.5.0" },
  fluentBit: { repo: "https://fluent.github.io/helm-charts", chart: "fluent-bit", version: "0.58.1" },
  oauth2Proxy: { repo: "https://oauth2-proxy.github.io/manifests", chart: "oauth2-proxy", version: "10.7.0" },
  certManager: { repo: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.21.1" },
  clusterAutoscaler: { repo: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.59.0" },
  velero: { repo: "https://vmware-tanzu.github.io/helm-charts", chart: "velero", version: "12.1.0" },
  dex: { repo: "https://charts.dexidp.io", chart: "dex", version: "0.24.0" },
  runnerController: {
    repo: "",
    chart: "oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set-controller",
    version: "0.14.2",
  },
  runnerScaleSet: { repo: "", chart: "oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set", version: "0.14.2" },
  awsLoadBalancerController: {
    repo: "https://aws.github.io/eks-charts",
    chart: "aws-load-balancer-controller",
    version: "3.5.0",
    // templates/_helpers.tpl `webhookCerts` reads its webhook Secret before any branch, whatever the values (with
    // enableCertManager the result goes unused), in the release's namespace, kube-system.
    renderLookups: [{ kind: "Secret", namespace: "kube-system", name: "aws-load-balancer-tls" }],
  },
  externalDns: { repo: "https://kubernetes-sigs.github.io/external-dns", chart: "external-dns", version: "1.21.1" },
} satisfies Record<string, ChartRef>;

/**
 * Images the program names itself. Where a chart ships a default, the pin is that default of the pinned chart
 * version (so upgrading a chart is one reviewed change here, image included).
 */
export const IMAGES = {
  /**
   * Elasticsearch and Kibana: the stack version eck-operator 3.5.0 was tested with (cloud-on-k8s v3.5.0 Makefile
   * `E2E_STACK_VERSION ?= 9.4.3`; 9.5 was a snapshot in its test matrix then). ECK refuses downgrades.
   */
  elasticStack: "9.4.3",
  /** velero chart 12.1.0 values.yaml `image.tag` (appVersion 1.18.1). */
  velero: "velero/velero:v1.18.1",
  /**
   * The chart pins no plugin (its values comment still shows v1.13.1, the Velero 1.17 line); the plugin's README
   * pairs plugin v1.14.x with Velero v1.18.x.
   */
  veleroPluginForAws: "velero/velero-plugin-for-aws:v1.14.0",
  /** The autoscaler's minor must equal the cluster's Kubernetes minor (it simulates that scheduler). */
  clusterAutoscaler: {
    repository: "registry.k8s.io/autoscaling/cluster-autoscaler",
    tagByKubernetesMinor: { "1.33": "v1.33.6", "1.34": "v1.34.5", "1.35": "v1.35.2" },
  },
  /** dex chart 0.24.0 defaults `image.tag` to `v` + its appVersion, 2.44.0. */
  dex: "ghcr.io/dexidp/dex:v2.44.0",
  /**
   * Runner image of every CI scale set: the one image not pinned, and pulled at every pod start (pod-templates.ts).
   * ARC registers its scale sets with runner updates disabled (actions-runner-controller gha-runner-scale-set-0.14.2,
   * `controllers/actions.github.com/autoscalingrunnerset_controller.go`: `RunnerSetting{DisableUpdate: true}`), and
   * GitHub sends no job to a runner that has not installed each runner release within 30 days of its publication
   * (github.com changelog 2026-06-12, "minimum version enforcement timeline for self-hosted runners"; enforced since
   * September 2026). A pinned tag would stop every job, admin's own deploys included, a month after the next runner
   * release, with only an operator's machine left to deploy a new pin. Each runner pod runs one job and starts on the
   * newest release; only a warm idle runner (`minRunners`) left a month without a job could be refused one, and the
   * job then goes to a new runner the scale set starts for it.
   */
  actionsRunner: "ghcr.io/actions/actions-runner:latest",
  /**
   * Rootless BuildKit, the build runners' image builder: release v0.32.2 (tag of 2026-08-04; its release workflow
   * .github/workflows/buildkit.yml publishes `moby/buildkit:<tag>-rootless`, the Dockerfile's `rootless` stage).
   */
  buildkitRootless: "moby/buildkit:v0.32.2-rootless",
} as const;

export type EksAddonName = "coredns" | "kube-proxy" | "vpc-cni" | "aws-ebs-csi-driver";

/**
 * EKS add-on builds per Kubernetes minor version (the add-on API only accepts builds made for the cluster's
 * minor). A `platform:cluster.kubernetesVersion` without an entry here is a config error, so an upgrade is
 * this entry plus the config line. Sources, checked in the published version tables: coredns and kube-proxy
 * from the Amazon EKS User Guide ("CoreDNS versions", "kube-proxy versions"); vpc-cni and aws-ebs-csi-driver
 * from the version maps of awslabs/cdk-eks-blueprints (lib/addons/vpc-cni, lib/addons/ebs-csi-driver).
 * Confirm with `aws eks describe-addon-versions --kubernetes-version <minor> --addon-name <name>` before a bump.
 */
export const EKS_ADDONS: Record<string, Record<EksAddonName, string>> = {
  "1.33": {
    coredns: "v1.12.4-eksbuild.1",
    "kube-proxy": "v1.33.5-eksbuild.2",
    "vpc-cni": "v1.20.4-eksbuild.2",
    "aws-ebs-csi-driver": "v1.56.0-eksbuild.1",
  },
  "1.34": {
    coredns: "v1.12.4-eksbuild.1",
    "kube-proxy": "v1.34.1-eksbuild.2",
    "vpc-cni": "v1.20.4-eksbuild.2",
    "aws-ebs-csi-driver": "v1.56.0-eksbuild.1",
  },
};
