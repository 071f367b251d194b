/**
 * Metrics and alerts: kube-prometheus-stack (Prometheus operator, Prometheus, Alertmanager, Grafana, node
 * exporter, kube-state-metrics, the default dashboards and alert rules) in its own namespace.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MonitoringConfig } from "../../config/sections/observability";
import { Naming } from "../../lib/naming";
import { platformNamespace } from "../tenancy";
import { CHARTS, chartSource } from "../../lib/versions";
import { RegistryMirrors } from "../../lib/images";
import { RECEIVER_SECRET } from "./alertmanager";
import { certificateAlerts, CertificateMetrics } from "./certificate-alerts";
import { apiServerMonitor, AUTOSCALED_CAPACITY_ALERTS, EKS_TARGET_VALUES, kubeletMonitor } from "./cluster-targets";
import { PublishedDashboardArgs } from "./exposure";
import { GRAFANA_ADMIN_SECRET, GRAFANA_CLUSTER_ROLE, GRAFANA_OIDC_SECRET, grafanaValues } from "./grafana";
import { stackImageRegistries } from "./images";
import { monitoringIngressPolicies } from "./network-policies";
import { alertmanagerValues, HOST_NETWORK_WEBHOOK_PORT, operatorValues, POD_NETWORK_WEBHOOK_PORT, prometheusValues } from "./values";

export {
  type DashboardExposure,
  type PublishedDashboardArgs,
  dashboardIngressAnnotations,
  dashboardIngressClass,
  dashboardServiceType,
} from "./exposure";

export const RELEASE_NAME = "kube-prometheus-stack";

export interface MonitoringArgs extends PublishedDashboardArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  readonly config: MonitoringConfig;
  /** Team namespaces admit scrapes from this namespace (their network baseline names it). */
  readonly namespace: string;
  readonly storageClassName: string;
  readonly adminPassword: pulumi.Input<string>;
  /** Receiver name → Slack/webhook URL or PagerDuty routing key. */
  readonly receiverSecrets: Readonly<Record<string, pulumi.Input<string>>>;
  /** Directory group mapped to Grafana's Admin role. */
  readonly adminGroup: string;
  /** Directory group mapped to Grafana's Viewer role, as are `config.grafana.viewerGroups`. */
  readonly auditorGroup: string;
  readonly protect: boolean;
  /** ECR pull-through caches: each of the stack's images comes through the cache of its registry where one exists. */
  readonly registryMirrors: RegistryMirrors;
  /**
   * cert-manager, ready to issue: the chart's Issuer and Certificates (the operator's webhook certificate) need
   * its CRDs and its webhook. A config rule requires cert-manager wherever monitoring is on.
   */
  readonly certificatesReady?: pulumi.Input<pulumi.Resource>[];
  /** cert-manager's metrics endpoint: its certificates are watched for readiness and expiry (certificate-alerts.ts). */
  readonly certificateMetrics?: CertificateMetrics;
  /** The cluster autoscaler sizes the node pools: the default alerts that judge capacity by the nodes there are go. */
  readonly nodesAutoscaled: boolean;
}

export class Monitoring extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly grafanaUrl: string;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:Monitoring", name, {}, opts);
    const { provider, naming, config, exposure } = args;
    const childOpts = { parent: this, provider };
    const labels = naming.labels();
    this.namespace = args.namespace;
    this.grafanaUrl = naming.url("grafana");

    // node-exporter mounts the host's /proc, /sys and root and uses its network and PID namespaces.
    const namespace = platformNamespace(this, { provider, naming, name: args.namespace, podSecurity: "privileged" });
    const inNamespace = { ...childOpts, dependsOn: namespace };
    // Secrets the chart references by name, so that no secret value enters the chart values.
    const secret = (resource: string, secretName: string, stringData: Record<string, pulumi.Input<string>>) =>
      new k8s.core.v1.Secret(
        `${name}-${resource}`,
        { metadata: { name: secretName, namespace: namespace.metadata.name, labels }, type: "Opaque", stringData },
        childOpts,
      );
    const receivers = config.alertmanager.receivers;
    const secrets = [
      secret("grafana-admin", GRAFANA_ADMIN_SECRET, { "admin-user": "admin", "admin-password": args.adminPassword }),
      secret("grafana-oidc", GRAFANA_OIDC_SECRET, { "client-secret": args.oidcClientSecret }),
      ...(receivers.length > 0
        ? [secret("alert-receivers", RECEIVER_SECRET, Object.fromEntries(receivers.map((r) => [r.name, args.receiverSecrets[r.name]])))]
        : []),
    ];
    // What Grafana's dashboard and datasource sidecars read, and nothing more (the subchart binds its service
    // account to it: grafana.ts).
    const grafanaRole = new k8s.rbac.v1.ClusterRole(
      `${name}-grafana-configmaps`,
      {
        metadata: { name: GRAFANA_CLUSTER_ROLE, labels },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
      },
      childOpts,
    );

    const webhookOnHostNetwork = !exposure.podIpsRoutable;
    const settings = {
      config,
      namespace: args.namespace,
      storageClassName: args.storageClassName,
      webhookOnHostNetwork,
      images: stackImageRegistries(args.registryMirrors),
    };
    // Chart v4 rather than a Release: every object shows in previews and drift checks, and a refresh reads the
    // objects themselves, not Helm's release Secrets. The chart has no hook left with these values (the
    // admission webhook's certificate comes from cert-manager), and its `lookup`s are behind values this program
    // sets or leaves off (grafana's admin password, image renderer and volume: test/unit/chart-lookups.test.ts).
    const stack = new k8s.helm.v4.Chart(
      `${name}-stack`,
      {
        name: RELEASE_NAME,
        ...chartSource(CHARTS.kubePrometheusStack),
        namespace: args.namespace,
        values: {
          ...EKS_TARGET_VALUES,
          defaultRules: {
            ...EKS_TARGET_VALUES.defaultRules,
            disabled: Object.fromEntries((args.nodesAutoscaled ? AUTOSCALED_CAPACITY_ALERTS : []).map((alert) => [alert, true])),
          },
          prometheusOperator: operatorValues(settings),
          // Without the Secret collector its service account lists no Secrets (no default rule or dashboard reads
          // `kube_secret_*`; kube-state-metrics 8.4.0 derives its ClusterRole from the collectors).
          "kube-state-metrics": { image: settings.images.kubeStateMetrics, collectorsExclude: ["secrets"] },
          "prometheus-node-exporter": { image: settings.images.nodeExporter },
          prometheus: prometheusValues(settings),
          alertmanager: alertmanagerValues(settings),
          grafana: grafanaValues({
            naming,
            replicas: config.grafana.replicas,
            resources: config.grafana.resources,
            exposure,
            oidcIssuerUrl: args.oidcIssuerUrl,
            clientId: args.oidcClientId,
            groupsClaim: args.groupsClaim,
            adminGroup: args.adminGroup,
            viewerGroups: [args.auditorGroup, ...config.grafana.viewerGroups],
            registryMirrors: args.registryMirrors,
          }),
        },
      },
      {
        ...childOpts,
        // The chart holds Grafana's Ingress: it waits for the load balancer controller's webhook with the rest.
        dependsOn: [namespace, grafanaRole, ...secrets, ...(args.certificatesReady ?? []), ...(args.ingressReady ?? [])],
        protect: args.protect,
      },
    );

    for (const [resource, monitor] of [
      ["kubelet", kubeletMonitor(RELEASE_NAME)],
      ["apiserver", apiServerMonitor(RELEASE_NAME)],
    ] as const) {
      new k8s.apiextensions.CustomResource(
        `${name}-${resource}-monitor`,
        { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { ...monitor.metadata, labels }, spec: monitor.spec },
        { ...childOpts, dependsOn: stack },
      );
    }

    if (args.certificateMetrics) {
      certificateAlerts(
        name,
        { metrics: args.certificateMetrics, namespace: args.namespace, labels },
        { ...childOpts, dependsOn: [stack, ...(args.certificatesReady ?? [])] },
      );
    }

    const webhookPort = webhookOnHostNetwork ? HOST_NETWORK_WEBHOOK_PORT : POD_NETWORK_WEBHOOK_PORT;
    for (const [policy, spec] of Object.entries(monitoringIngressPolicies({ release: RELEASE_NAME, webhookPort }))) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${policy}`,
        { metadata: { name: policy, namespace: args.namespace, labels }, spec },
        inNamespace,
      );
    }

    this.registerOutputs({ namespace: this.namespace, grafanaUrl: this.grafanaUrl });
  }
}
