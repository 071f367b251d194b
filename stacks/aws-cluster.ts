import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentAwsProvider, environmentAwsProvider, partitionOf } from "../components/aws-account";
import { Calico } from "../components/calico";
import { ClusterHandle, ClusterServices, EksAddonsArgs, EksCluster, NetworkAddons, NodePools } from "../components/cluster";
import { Network } from "../components/network";
import { Backups } from "../components/backups";
import { CERT_MANAGER_METRICS, CertManager } from "../components/cert-manager";
import { ClusterAutoscaler } from "../components/cluster-autoscaler";
import { EnvironmentDns } from "../components/dns";
import { AwsScope } from "../components/irsa";
import { LoadBalancerController } from "../components/load-balancing";
import { LOGGING_SECRET_READS } from "../components/logging";
import { PipelineAccess } from "../components/pipeline-access";
import { cacheMirrors, Registry } from "../components/registry";
import { CALICO_MAX_PODS } from "../lib/node-allocatable";
import { CHARTS } from "../lib/versions";
import { Environment } from "./environment";

export interface AwsClusterOptions {
  /** Issuer of the tokens people sign in with: Dex of the admin hub (admin: its own Dex). */
  readonly oidcIssuerUrl: pulumi.Input<string>;
  /** The hub's NAT addresses (`/32`s), which a public endpoint must admit for the hub's runners to reach it. */
  readonly hubNatCidrs?: pulumi.Input<string[]>;
  /** The environment's provider, when the composition needed it before the cluster (a spoke reads the hub's outputs with it). */
  readonly awsProvider?: EnvironmentAwsProvider;
  /** What makes the cluster's API reachable from the hub's runners (a spoke's side of the hub); its providers wait for it. */
  readonly apiReachability?: (parts: ApiReachabilityParts) => pulumi.Resource[];
}

export interface ApiReachabilityParts {
  readonly awsProvider: aws.Provider;
  readonly network: Network;
  /** The security group on the API endpoint's interfaces. */
  readonly apiSecurityGroupId: pulumi.Output<string>;
}

/** The environment's one AWS provider (components/aws-account). */
export function environmentProvider(env: Environment): EnvironmentAwsProvider {
  const { account } = eksSections(env);
  return environmentAwsProvider("aws", {
    naming: env.naming,
    region: account.region,
    accountId: account.accountId,
    deployRoleArn: account.deployRoleArn,
  });
}

/**
 * An environment's EKS cluster, built in the order it has to come up:
 * AWS account → network → control plane → pod network → node pools → DNS and storage.
 * `cluster` is what the platform layer builds on: its objects wait for nodes, DNS and storage.
 */
export function awsCluster(env: Environment, options: AwsClusterOptions) {
  const { config, naming } = env;
  const { account, network: networkConfig, cluster: clusterConfig, calico: calicoConfig } = eksSections(env);
  const partition = partitionOf(account.deployRoleArn);
  const clusterName = naming.resource("eks");
  const protect = config.environment.protectStatefulResources;
  const scope: AwsScope = { partition, region: account.region, accountId: account.accountId };
  // Every chart of the environment pulls through its caches, Calico's included (before the registry exists).
  const registryMirrors = cacheMirrors(config.registries, scope);

  const awsProvider = options.awsProvider ?? environmentProvider(env);
  const network = new Network("network", {
    awsProvider,
    naming,
    network: networkConfig,
    accountId: account.accountId,
    region: account.region,
    partition,
    clusterName,
    retainLogs: protect,
  });
  const controlPlane = new EksCluster("cluster", {
    awsProvider,
    naming,
    clusterName,
    cluster: clusterConfig,
    region: account.region,
    partition,
    deployRoleArn: account.deployRoleArn,
    previewRoleArn: account.previewRoleArn,
    subnetIds: network.privateSubnetIds,
    vpcId: network.vpcId,
    oidc: config.identity.oidc,
    oidcIssuerUrl: options.oidcIssuerUrl,
    hubNatCidrs: options.hubNatCidrs,
    apiReachability:
      options.apiReachability && ((apiSecurityGroupId) => options.apiReachability!({ awsProvider, network, apiSecurityGroupId })),
    protect,
  });
  const addons: EksAddonsArgs = {
    awsProvider,
    naming,
    cluster: controlPlane,
    kubernetesVersion: clusterConfig.kubernetesVersion,
    partition,
  };
  // What a node needs to become Ready, in place before the first node joins: kube-proxy, and the AWS VPC CNI
  // unless Calico is the CNI; then Calico goes in instead, through the control plane's provider, since no node
  // exists yet for anything to wait on. In policy-only mode Calico only adds policy: it goes in through the
  // provider that waits for nodes, so that its operator can be awaited.
  const networkAddons = new NetworkAddons("network-addons", { ...addons, vpcCni: calicoConfig.mode !== "cni" });
  const cniCalico =
    calicoConfig.mode === "cni"
      ? new Calico("calico", { provider: controlPlane.provider, naming, config: calicoConfig, registryMirrors })
      : undefined;
  const nodePools = new NodePools("node-pools", {
    awsProvider,
    naming,
    clusterName: controlPlane.name,
    kubernetesVersion: clusterConfig.kubernetesVersion,
    subnetIds: network.privateSubnetIds,
    availabilityZones: network.availabilityZones,
    pools: clusterConfig.nodePools,
    partition,
    podNetwork: cniCalico ? [networkAddons, cniCalico] : [networkAddons],
    // Calico's pool, not the ENIs, limits pod addresses: the kubelet's own default applies again.
    maxPods: cniCalico ? CALICO_MAX_PODS : undefined,
  });
  const services = new ClusterServices("cluster-services", { ...addons, nodes: [nodePools], retainVolumes: protect });
  const cluster = controlPlane.schedulable([nodePools, services]);
  const calico = cniCalico ?? new Calico("calico", { provider: cluster.provider, naming, config: calicoConfig, registryMirrors });
  const {
    registry,
    ingressReady,
    certificatesReady,
    certificateMetrics,
    outputs: platformServices,
  } = awsServices(env, {
    awsProvider,
    scope,
    controlPlane,
    cluster,
    nodePools,
    vpcId: network.vpcId,
  });

  return {
    awsProvider,
    network,
    controlPlane,
    cluster,
    calico,
    registry,
    /** The load balancer controller's webhooks answering and its classes in place (empty without a controller). */
    ingressReady,
    /** cert-manager and its issuers in place (empty without cert-manager). */
    certificatesReady,
    /** Where cert-manager serves its metrics (absent without cert-manager). */
    certificateMetrics,
    outputs: {
      clusterName: controlPlane.name,
      clusterEndpoint: controlPlane.endpoint,
      kubeconfig: controlPlane.kubeconfig,
      oidcProviderArn: controlPlane.irsa.oidcProviderArn,
      oidcProviderUrl: controlPlane.oidcIssuerUrl,
      /** Where people sign in (Dex); `npm run kubeconfig` builds their kubeconfig from it. */
      signInIssuerUrl: options.oidcIssuerUrl,
      vpcId: network.vpcId,
      vpcCidr: network.vpcCidr,
      privateSubnetIds: network.privateSubnetIds,
      nodeRoleArn: nodePools.roleArn,
      calicoMode: calico.mode,
      calicoIpPool: calico.ipPool,
      ...platformServices,
    },
  };
}

interface AwsServicesArgs {
  readonly awsProvider: aws.Provider;
  readonly scope: AwsScope;
  readonly controlPlane: EksCluster;
  /** The handle whose provider waits for nodes, DNS and storage. */
  readonly cluster: ClusterHandle;
  readonly nodePools: NodePools;
  readonly vpcId: pulumi.Input<string>;
}

/**
 * The registry, certificates, load balancers, DNS, autoscaling and backups: each on or off by config, AWS
 * permissions through IRSA.
 */
function awsServices(env: Environment, { awsProvider, scope, controlPlane, cluster, nodePools, vpcId }: AwsServicesArgs) {
  const { config, secrets, naming } = env;
  const { certManager, clusterAutoscaler, backups } = config.services;
  const clusterConfig = eksSections(env).cluster;
  const protect = config.environment.protectStatefulResources;

  const registry = new Registry("registry", {
    awsProvider,
    naming,
    aws: scope,
    config: config.registries,
    upstreamTokens: secrets.registryPasswords,
    nodeRoleName: nodePools.roleName,
    protect,
    // The hub's repositories are where CI pushes and every spoke's cluster pulls from.
    pullAccounts: config.admin?.spokes.map((spoke) => spoke.accountId) ?? [],
  });
  const common = {
    provider: cluster.provider,
    awsProvider,
    irsa: controlPlane.irsa,
    naming,
    aws: scope,
    registryMirrors: registry.mirrors,
  };
  const webhookOnHostNetwork = config.calico?.mode === "cni";
  const certificates = certManager.enabled
    ? new CertManager("cert-manager", {
        ...common,
        config: certManager,
        hostedZoneId: config.environment.hostedZoneId,
        webhookOnHostNetwork,
      })
    : undefined;
  // Load balancers for Ingresses and LoadBalancer Services; its webhook certificate comes from cert-manager.
  const loadBalancing = certificates
    ? new LoadBalancerController("load-balancer-controller", {
        ...common,
        clusterName: controlPlane.name,
        vpcId,
        podsOnOverlay: webhookOnHostNetwork,
        certManager: certificates,
      })
    : undefined;
  // What the pipeline's read-only identity reads here: everything but Secrets, and the Secrets a preview reads.
  new PipelineAccess("pipeline-access", {
    provider: cluster.provider,
    naming,
    secretReads: [
      ...(loadBalancing ? (CHARTS.awsLoadBalancerController.renderLookups ?? []) : []),
      ...(config.observability.logging.enabled ? LOGGING_SECRET_READS : []),
    ],
  });
  const hostedZoneId = config.environment.hostedZoneId;
  const dns = hostedZoneId ? new EnvironmentDns("dns", { ...common, hostedZoneId, clusterName: controlPlane.name }) : undefined;
  if (clusterAutoscaler.enabled) {
    new ClusterAutoscaler("cluster-autoscaler", {
      ...common,
      clusterName: controlPlane.name,
      kubernetesVersion: clusterConfig.kubernetesVersion,
      nodePools: clusterConfig.nodePools,
      config: clusterAutoscaler,
    });
  }
  const backupBucket = backups.enabled ? new Backups("backups", { ...common, config: backups, protect }).bucketName : undefined;

  return {
    registry,
    ingressReady: loadBalancing?.ready ?? [],
    certificatesReady: certificates ? [certificates] : [],
    certificateMetrics: certificates ? CERT_MANAGER_METRICS : undefined,
    outputs: {
      registryHost: registry.host,
      registryMirrors: registry.mirrors,
      repositoryUrls: registry.repositoryUrls,
      certificateIssuers: certificates?.issuers ?? [],
      backupBucket,
      ...(dns ? { environmentCertificateArn: dns.certificateArn } : {}),
    },
  };
}

/** The config sections an EKS environment has by the config rules, narrowed for the compiler. */
function eksSections(env: Environment) {
  const { aws: account, network, cluster, calico } = env.config;
  if (!account || !network || !calico || cluster.mode !== "eks") {
    throw new Error(
      `the ${env.stack} composition builds an EKS cluster: it needs cluster.mode: eks, an aws, a network and a calico section`,
    );
  }
  return { account, network, cluster, calico };
}
