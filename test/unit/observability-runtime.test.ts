/**
 * What kube-prometheus-stack scrapes and alerts on is what EKS exposes, and the dashboards' Ingresses wait for the
 * load balancer controller's webhook (and monitoring's webhook certificate for cert-manager) when a composition
 * passes them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "../../config/load";
import { describeEnvironment } from "../../stacks/environment";
import { platformLayer } from "../../stacks/platform-layer";
import { EKS_STACKS, runStack, StackRun } from "../../mock-engine";
import { defaultHubOutputs } from "../../mock-engine/provider-answers";
import { runsBeforeAll } from "../stack-runs";

type Stack = (typeof EKS_STACKS)[number];
const CHART = "kubernetes:helm.sh/v4:Chart";

const runs = runsBeforeAll(EKS_STACKS);

const values = (run: StackRun) => run.one(CHART, "monitoring-stack").inputs.values;
const monitor = (run: StackRun, name: string) => run.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", name);

describe.each(EKS_STACKS)("%s", (stack) => {
  test("no scrape targets and no alert rules for what EKS keeps out of reach: kube-proxy, etcd, scheduler, controller manager", () => {
    expect(values(runs[stack])).toMatchObject({
      defaultRules: {
        create: true,
        rules: { kubeProxy: false, etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false },
      },
      kubeProxy: { enabled: false },
      kubeEtcd: { enabled: false },
      kubeControllerManager: { enabled: false },
      kubeScheduler: { enabled: false },
    });
  });

  test("where the cluster autoscaler sizes the nodes, no alert judges capacity by the nodes there are", () => {
    expect(values(runs[stack]).defaultRules.disabled).toEqual({
      KubeCPUOvercommit: true,
      KubeMemoryOvercommit: true,
      KubeCPUQuotaOvercommit: true,
      KubeMemoryQuotaOvercommit: true,
    });
  });

  test("the kubelets and the API server are scraped as the chart's rules and dashboards expect (job, metrics_path)", () => {
    const run = runs[stack];
    const kubelet = monitor(run, "monitoring-kubelet-monitor").inputs.spec;
    expect(kubelet.jobLabel).toBe("k8s-app");
    expect(kubelet.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": "kubelet", "k8s-app": "kubelet" } });
    expect(kubelet.endpoints.map((e: { path?: string }) => e.path ?? "/metrics")).toEqual([
      "/metrics",
      "/metrics/cadvisor",
      "/metrics/probes",
    ]);
    for (const endpoint of kubelet.endpoints) {
      expect(endpoint).toMatchObject({ port: "https-metrics", scheme: "https", honorLabels: true });
      expect(endpoint.relabelings).toEqual([{ action: "replace", sourceLabels: ["__metrics_path__"], targetLabel: "metrics_path" }]);
    }
    const apiServer = monitor(run, "monitoring-apiserver-monitor").inputs.spec;
    expect(apiServer).toMatchObject({
      jobLabel: "component",
      selector: { matchLabels: { component: "apiserver", provider: "kubernetes" } },
    });
    expect(apiServer.endpoints[0]).toMatchObject({ port: "https", scheme: "https", tlsConfig: { serverName: "kubernetes" } });
    // Both need the operator's CRDs, which the chart brings.
    const chartUrn = run.one(CHART, "monitoring-stack").urn;
    for (const name of ["monitoring-kubelet-monitor", "monitoring-apiserver-monitor"])
      expect(monitor(run, name).dependencies).toContain(chartUrn);
  });
});

test("without the cluster autoscaler, the capacity alerts stay", async () => {
  const run = await runStack("e2e", { configure: (c) => (c["platform:services"].clusterAutoscaler = { enabled: false }) });
  expect(values(run).defaultRules.disabled).toEqual({});
});

describe.each(EKS_STACKS)("%s: the composition passes what the charts wait for", (stack) => {
  test("kube-prometheus-stack waits for the environment's cert-manager release, which issues its webhook certificate", () => {
    const run = runs[stack];
    const release = run.one("kubernetes-cert-manager:index:CertManager", "cert-manager-release");
    expect(run.one(CHART, "monitoring-stack").dependencies).toContain(release.urn);
  });
});

/**
 * The platform layer of `stack` on a stand-in cluster, given resources to wait for before Ingresses and certificates
 * (its teams without CI, whose identities need the AWS cluster this stand-in is not).
 */
async function layerWaitingFor(stack: Stack) {
  return runStack(stack, {
    configure: (c) => c["platform:teams"].forEach((team: Record<string, unknown>) => delete team.ci),
    program: () => {
      const env = describeEnvironment(loadConfig(stack));
      const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
      const cluster = { provider, name: pulumi.output("cluster"), access: { kubeconfig: pulumi.secret("{}"), identifier: "cluster" } };
      const marker = (name: string) => new k8s.core.v1.ConfigMap(name, { metadata: { name } }, { provider });
      platformLayer(env, cluster, {
        oidcIssuerUrl: String(defaultHubOutputs.dexIssuerUrl),
        ingressReady: [marker("load-balancer-webhook-ready")],
        certificatesReady: [marker("cert-manager-ready")],
      });
      return {};
    },
  });
}

describe.each(["prod", "e2e"] as const)("%s: what the charts wait for", (stack) => {
  let run: StackRun;
  beforeAll(async () => {
    run = await layerWaitingFor(stack);
  }, 120_000);
  const markerUrn = (name: string) => run.one("kubernetes:core/v1:ConfigMap", name).urn;
  const dependenciesOf = (chart: string) => run.one(CHART, chart).dependencies;

  test("the charts holding Grafana's and Kibana's Ingresses wait for the load balancer controller's webhook", () => {
    expect(dependenciesOf("monitoring-stack")).toContain(markerUrn("load-balancer-webhook-ready"));
    expect(dependenciesOf("logging-oauth2-proxy")).toContain(markerUrn("load-balancer-webhook-ready"));
  });

  test("kube-prometheus-stack waits for cert-manager, which issues its webhook certificate", () => {
    expect(dependenciesOf("monitoring-stack")).toContain(markerUrn("cert-manager-ready"));
  });

  test("charts without an Ingress do not wait for the load balancer controller", () => {
    for (const chart of ["logging-eck-operator", "logging-fluent-bit", "logging-fluent-bit-events"]) {
      expect(dependenciesOf(chart)).not.toContain(markerUrn("load-balancer-webhook-ready"));
    }
  });
});
