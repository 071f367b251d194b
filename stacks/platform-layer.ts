import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle } from "../components/cluster/handle";
import { Logging } from "../components/logging";
import { Monitoring } from "../components/monitoring";
import type { CertificateMetrics } from "../components/monitoring/certificate-alerts";
import { dockerConfigJson, PlatformRbac, TenancyGuardrails } from "../components/tenancy";
import { teamAdmissionOf } from "../components/tenancy/admission";
import { dashboardClientIds } from "../config/sections/hub";
import { RegistryMirrors } from "../lib/images";
import { Environment } from "./environment";
import { deployTeams, publishTenancy } from "./tenancy";
import type { TeamCiTarget } from "../components/ci-runners/team-access";

const MONITORING_NAMESPACE = "monitoring";
/** The default StorageClass the EKS cluster layer creates (ClusterServices). */
const STORAGE_CLASS = "gp3";

export interface PlatformLayerOptions {
  /** Issuer of the people's tokens (the hub's Dex), for Grafana's and Kibana's login; required with either enabled. */
  readonly oidcIssuerUrl?: pulumi.Input<string>;
  /** The environment's ECR pull-through caches, for the charts' Docker Hub images (none on an existing cluster). */
  readonly registryMirrors?: RegistryMirrors;
  /** The account and cluster of teams' CI roles (EKS workload environments); absent, no team may have CI. */
  readonly teamCi?: TeamCiTarget;
  /** The environment's public zone, for each team's certificate (TenancyContext.teamTls); absent, teams get none. */
  readonly teamTls?: { readonly hostedZoneId: string };
  /** Calico, which enforces the tenancy guardrails' ClusterNetworkPolicies (none on an existing cluster). */
  readonly networkPolicyEngine?: pulumi.Resource;
  /** cert-manager ready to issue, which monitoring's webhook certificate needs (MonitoringArgs.certificatesReady). */
  readonly certificatesReady?: pulumi.Input<pulumi.Resource>[];
  /** cert-manager's metrics endpoint, for the certificate alerts (MonitoringArgs.certificateMetrics). */
  readonly certificateMetrics?: CertificateMetrics;
  /** The load balancer controller's webhook ready, before the dashboards' Ingresses (MonitoringArgs.ingressReady). */
  readonly ingressReady?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Everything above the cluster, the same on every environment and on any existing cluster:
 * the RBAC model, the team namespaces, and monitoring and logging.
 */
export function platformLayer(env: Environment, cluster: ClusterHandle, options: PlatformLayerOptions = {}) {
  const { config, secrets, naming } = env;
  const { provider } = cluster;
  const groupsPrefix = config.identity.oidc.groupsPrefix;

  new PlatformRbac("rbac", {
    provider,
    naming,
    groupsPrefix,
    infraGroup: config.identity.infraGroup,
    auditorGroup: config.identity.auditorGroup,
  });
  // With Calico as the CNI, pods sit on an overlay that load balancers reach only through node ports.
  const overlayPool = config.calico?.mode === "cni" ? config.calico.ipPool.cidr : undefined;
  const podsOnOverlay = overlayPool !== undefined;
  const guardrails = new TenancyGuardrails("tenancy-guardrails", {
    provider,
    naming,
    refuseNodePorts: !podsOnOverlay,
    clusterNetworkPolicies: options.networkPolicyEngine,
    admission: teamAdmissionOf(config),
  });
  const vpcCidr = config.network?.vpcCidr;

  const credentials = config.registries.pullCredentials.map((c) => ({ ...c, password: secrets.registryPasswords[c.server] }));
  const pullSecret = credentials.length > 0 ? dockerConfigJson(credentials) : undefined;
  const context = {
    tenancy: config.tenancy,
    groupsPrefix,
    monitoringNamespace: MONITORING_NAMESPACE,
    vpcCidr,
    loadBalancerSources: [vpcCidr, overlayPool].filter((cidr): cidr is string => cidr !== undefined),
    nodePortsRefused: !podsOnOverlay,
    clusterNetworkPolicies: options.networkPolicyEngine !== undefined,
    pullSecret: pullSecret !== undefined,
    ...(options.teamCi ? { teamCi: options.teamCi } : {}),
    ...(options.teamTls ? { teamTls: options.teamTls } : {}),
  };
  const { environment } = config;
  const teamNamespaces = deployTeams(
    config.teams,
    { ...context, environment: env.stack, domain: environment.domain, owner: environment.owner, costCentre: environment.costCentre },
    provider,
    pullSecret,
    { networkPolicyEngine: options.networkPolicyEngine, formerIsolation: (team) => guardrails.formerIsolation(team) },
  );

  return {
    teamNamespaces,
    ...publishTenancy(env, cluster, context, pullSecret),
    ...observability(env, cluster, options),
  };
}

/** Monitoring and logging, each on or off by config; both log people in through Dex. */
function observability(env: Environment, cluster: ClusterHandle, options: PlatformLayerOptions) {
  const { config, secrets, naming } = env;
  const { monitoring, logging, ingressClassName } = config.observability;
  if (!monitoring.enabled && !logging.enabled) return {};
  const oidcIssuerUrl = config.identity.oidc.issuerUrl ?? options.oidcIssuerUrl;
  if (oidcIssuerUrl === undefined)
    throw new Error(`the ${env.stack} composition passes no OIDC issuer to the platform layer, which Grafana and Kibana need`);
  const clientIds = dashboardClientIds(env.stack);
  const common = {
    provider: cluster.provider,
    naming,
    storageClassName: STORAGE_CLASS,
    exposure: { ingressClassName, podIpsRoutable: config.calico?.mode !== "cni" },
    registryMirrors: options.registryMirrors ?? {},
    oidcIssuerUrl,
    groupsClaim: config.identity.oidc.groupsClaim,
    protect: config.environment.protectStatefulResources,
    ingressReady: options.ingressReady,
  };
  // config/rules-secrets.ts requires the secrets read below whenever the part that reads them is enabled.
  const grafana = monitoring.enabled
    ? new Monitoring("monitoring", {
        ...common,
        config: monitoring,
        namespace: MONITORING_NAMESPACE,
        oidcClientId: clientIds.grafana,
        oidcClientSecret: secrets.oidcClientSecrets[clientIds.grafana],
        adminPassword: secrets.grafanaAdminPassword!,
        receiverSecrets: secrets.alertReceiverSecrets,
        adminGroup: config.identity.infraGroup,
        auditorGroup: config.identity.auditorGroup,
        certificatesReady: options.certificatesReady,
        certificateMetrics: options.certificateMetrics,
        nodesAutoscaled: config.services.clusterAutoscaler.enabled,
      })
    : undefined;
  const kibana = logging.enabled
    ? new Logging("logging", {
        ...common,
        config: logging,
        oidcClientId: clientIds.kibana,
        oidcClientSecret: secrets.oidcClientSecrets[clientIds.kibana],
      })
    : undefined;
  return { ...(grafana ? { grafanaUrl: grafana.grafanaUrl } : {}), ...(kibana ? { kibanaUrl: kibana.kibanaUrl } : {}) };
}
