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
import { PROMETHEUS_CPU } from "../../lib/workload-sizes";
import { alertmanagerConfig, RECEIVER_SECRET } from "./alertmanager";
import { DashboardExposure } from "./exposure";
import { GRAFANA_ADMIN_SECRET, GRAFANA_OIDC_SECRET, grafanaValues } from "./grafana";
import { stackImageRegistries } from "./images";

export { type DashboardExposure, dashboardIngressAnnotations, dashboardIngressClass, dashboardServiceType } from "./exposure";

export const RELEASE_NAME = "kube-prometheus-stack";

/** Prometheus and Alertmanager replicas prefer different zones, so one zone's loss leaves one of each running. */
const ZONE_LABEL = "topology.kubernetes.io/zone";

/** Room left on the volume for the write-ahead log and compaction, beyond which Prometheus drops the oldest blocks. */
const TSDB_SHARE_OF_VOLUME = 0.85;

export interface MonitoringArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  readonly config: MonitoringConfig;
  /** Team namespaces admit scrapes from this namespace (their network baseline names it). */
  readonly namespace: string;
  readonly storageClassName: string;
  readonly exposure: DashboardExposure;
  readonly oidcIssuerUrl: pulumi.Input<string>;
  /** Dex static client id of this environment's Grafana. */
  readonly oidcClientId: string;
  readonly oidcClientSecret: pulumi.Input<string>;
  readonly adminPassword: pulumi.Input<string>;
  /** Receiver name → Slack/webhook URL or PagerDuty routing key. */
  readonly receiverSecrets: Readonly<Record<string, pulumi.Input<string>>>;
  /** Directory group mapped to Grafana's Admin role. */
  readonly adminGroup: string;
  readonly protect: boolean;
  /** ECR pull-through caches: each of the stack's images comes through the cache of its registry where one exists. */
  readonly registryMirrors: RegistryMirrors;
}

export class Monitoring extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly grafanaUrl: string;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:Monitoring", name, {}, opts);
    const { provider, naming, config, exposure } = args;
    const childOpts = { parent: this, provider };
    this.namespace = args.namespace;
    this.grafanaUrl = naming.url("grafana");

    // node-exporter mounts the host's /proc, /sys and root and uses its network and PID namespaces.
    const namespace = platformNamespace(this, { provider, naming, name: args.namespace, podSecurity: "privileged" });
    // Secrets the chart references by name, so that no secret value enters the chart values.
    const secret = (resource: string, secretName: string, stringData: Record<string, pulumi.Input<string>>) =>
      new k8s.core.v1.Secret(
        `${name}-${resource}`,
        { metadata: { name: secretName, namespace: namespace.metadata.name, labels: naming.labels() }, type: "Opaque", stringData },
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

    const volume = (storageGiB: number) => ({
      volumeClaimTemplate: {
        spec: {
          storageClassName: args.storageClassName,
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: `${storageGiB}Gi` } },
        },
      },
    });
    const { prometheus, alertmanager } = config;
    const images = stackImageRegistries(args.registryMirrors);

    // Release (helm v3): the chart creates the admission webhook's certificate with pre-install/post-install
    // hook Jobs, which only a Helm release runs; the price is one resource in previews instead of one per object.
    new k8s.helm.v3.Release(
      `${name}-stack`,
      {
        name: RELEASE_NAME,
        ...chartSource(CHARTS.kubePrometheusStack),
        namespace: args.namespace,
        timeout: 900,
        cleanupOnFail: true,
        maxHistory: 10,
        values: {
          // Monitoring runs on EKS only (config/rules.ts), whose etcd, scheduler and controller manager are out
          // of reach: no scrape targets for them, and no alerts that could only ever report them down.
          defaultRules: {
            create: true,
            rules: { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false },
          },
          kubeEtcd: { enabled: false },
          kubeControllerManager: { enabled: false },
          kubeScheduler: { enabled: false },
          // Without routable pod addresses the control plane reaches the operator's admission webhook on the host
          // network, where kubelet already holds port 10250.
          prometheusOperator: {
            ...images.operator,
            ...(exposure.podIpsRoutable ? {} : { hostNetwork: true, tls: { internalPort: 10261 } }),
          },
          "kube-state-metrics": { image: images.kubeStateMetrics },
          "prometheus-node-exporter": { image: images.nodeExporter },
          prometheus: {
            podDisruptionBudget: { enabled: prometheus.replicas > 1 },
            prometheusSpec: {
              image: images.prometheus,
              replicas: prometheus.replicas,
              retention: prometheus.retention,
              retentionSize: `${Math.floor(prometheus.storageGiB * TSDB_SHARE_OF_VOLUME)}GB`,
              storageSpec: volume(prometheus.storageGiB),
              resources: {
                requests: { cpu: PROMETHEUS_CPU.request, memory: prometheus.memory },
                limits: { cpu: PROMETHEUS_CPU.limit, memory: prometheus.memory },
              },
              podAntiAffinity: "soft",
              podAntiAffinityTopologyKey: ZONE_LABEL,
              // Select every ServiceMonitor, PodMonitor, Probe, ScrapeConfig and rule in every namespace,
              // not only those labelled for this Helm release: teams ship their own.
              serviceMonitorSelectorNilUsesHelmValues: false,
              podMonitorSelectorNilUsesHelmValues: false,
              probeSelectorNilUsesHelmValues: false,
              scrapeConfigSelectorNilUsesHelmValues: false,
              ruleSelectorNilUsesHelmValues: false,
            },
          },
          alertmanager: {
            podDisruptionBudget: { enabled: alertmanager.replicas > 1 },
            config: alertmanagerConfig(receivers),
            alertmanagerSpec: {
              image: images.alertmanager,
              replicas: alertmanager.replicas,
              storage: volume(alertmanager.storageGiB),
              secrets: receivers.length > 0 ? [RECEIVER_SECRET] : [],
              resources: alertmanager.resources,
              podAntiAffinity: "soft",
              podAntiAffinityTopologyKey: ZONE_LABEL,
            },
          },
          grafana: grafanaValues({
            naming,
            replicas: config.grafana.replicas,
            resources: config.grafana.resources,
            exposure,
            oidcIssuerUrl: args.oidcIssuerUrl,
            clientId: args.oidcClientId,
            adminGroup: args.adminGroup,
            registryMirrors: args.registryMirrors,
          }),
        },
      },
      { ...childOpts, dependsOn: [namespace, ...secrets], protect: args.protect },
    );

    this.registerOutputs({ namespace: this.namespace, grafanaUrl: this.grafanaUrl });
  }
}
