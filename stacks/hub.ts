/** The admin hub's services, and each environment's connection to them (through the admin stack's outputs). */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CiRunners } from "../components/ci-runners";
import { ClusterHandle, EksCluster } from "../components/cluster";
import { Dex, dexClients } from "../components/identity";
import { Network } from "../components/network";
import { RegistryPushAccess } from "../components/registry";
import { TransitHub, TransitSpoke } from "../components/transit";
import { ClientVpn } from "../components/vpn";
import { RegistryMirrors } from "../lib/images";
import { Naming } from "../lib/naming";
import type { ApiReachabilityParts } from "./aws-cluster";
import { Environment } from "./environment";
import type { HubOutputs } from "./hub-outputs";

export interface HubParts {
  readonly awsProvider: aws.Provider;
  readonly network: Network;
  readonly controlPlane: EksCluster;
  /** The cluster as workloads see it (objects wait for nodes). */
  readonly cluster: ClusterHandle;
}

/** admin: Dex, the one sign-in issuer of every environment, published through the hub's load balancer controller. */
export function adminDex(
  env: Environment,
  parts: Pick<HubParts, "awsProvider" | "cluster"> & {
    dexHostname: string;
    registryMirrors: RegistryMirrors;
    ingressReady: pulumi.Input<pulumi.Resource>[];
  },
): Dex {
  const { config, secrets, naming } = env;
  const admin = config.admin!;
  const spokeNaming = admin.spokes.map((spoke) => new Naming(spoke.name, config.environment.domain, config.environment));
  return new Dex("dex", {
    provider: parts.cluster.provider,
    awsProvider: parts.awsProvider,
    naming,
    dex: admin.dex,
    hostname: parts.dexHostname,
    hostedZoneId: config.environment.hostedZoneId!,
    clients: dexClients(config.identity.oidc.clientId, [naming, ...spokeNaming]),
    ldapBindPassword: secrets.ldapBindPassword!,
    clientSecrets: secrets.oidcClientSecrets,
    registryMirrors: parts.registryMirrors,
    loadBalancerController: parts.ingressReady,
  });
}

/** admin: the CI runners, the VPN and the Transit Gateway. Returns what the environments read. */
export function adminHub(
  env: Environment,
  parts: HubParts & { registryMirrors: RegistryMirrors; repositoryArns: readonly string[]; vpnServerCertificateArn: pulumi.Input<string> },
) {
  const { config, secrets, naming } = env;
  const { awsProvider, network, controlPlane, cluster } = parts;
  const admin = config.admin!;
  const protect = config.environment.protectStatefulResources;

  const account = config.aws!;
  const partition = account.deployRoleArn.split(":")[1];
  const ci = new CiRunners("ci-runners", {
    provider: cluster.provider,
    awsProvider,
    naming,
    ciRunners: admin.ciRunners,
    buildPool: buildPool(env),
    githubAppPrivateKey: secrets.githubAppPrivateKey!,
    registryMirrors: parts.registryMirrors,
    spokeCidrs: admin.spokes.map((spoke) => spoke.vpcCidr),
    fargate: {
      partition,
      region: account.region,
      accountId: account.accountId,
      clusterName: controlPlane.name,
      subnetIds: network.privateSubnetIds,
      cachePrefixes: config.registries.pullThroughCache.map((rule) => rule.prefix),
    },
  });
  // The hub's registry: each repository's push role, for the build jobs of the repositories configured for it.
  const { build } = admin.ciRunners;
  const push = new RegistryPushAccess("registry-push", {
    awsProvider,
    naming,
    account: { partition, accountId: account.accountId },
    environment: build.pushEnvironment,
    repositories: config.registries.repositories.flatMap((name, i) =>
      build.pushFrom[name] ? [{ name, arn: parts.repositoryArns[i], sources: build.pushFrom[name] }] : [],
    ),
  });
  const vpn = new ClientVpn("vpn", {
    awsProvider,
    naming,
    vpn: admin.vpn,
    serverCertificateArn: parts.vpnServerCertificateArn,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    subnetIds: network.privateSubnetIds,
    spokes: admin.spokes,
    retainLogs: protect,
    apiSecurityGroupId: controlPlane.apiSecurityGroupId,
  });
  const transit = new TransitHub("transit", {
    awsProvider,
    naming,
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    routeTableIds: network.privateRouteTableIds,
    spokes: admin.spokes,
    deployRunnerCidrs: network.privateSubnetCidrs,
    protect,
  });

  return {
    registryPushRoleArns: push.roleArns,
    ciRunnerScaleSets: { build: ci.buildScaleSet, deploy: ci.deployScaleSet, platform: ci.platformScaleSet },
    transitGatewayId: transit.transitGatewayId,
    transitGatewayRamShareArn: transit.resourceShareArn,
    deployRunnerPrefixListId: transit.deployRunnerPrefixListId,
    // Where the hub's runners and VPN users come from when they reach a public endpoint (see deliveryReach).
    natPublicCidrs: pulumi.all(network.natPublicIps).apply((ips) => ips.map((ip) => `${ip}/32`)),
    vpnEndpointId: vpn.endpointId,
    vpnClientCidr: vpn.clientCidr,
  };
}

/**
 * e2e, stage, prod: the path from the hub's runners and VPN users to this environment's API (the Transit Gateway
 * attachment, the routes to the hub, the API rule for the hub's prefix list). The cluster's providers wait for it.
 */
export function spokeTransit(env: Environment, hub: HubOutputs, parts: ApiReachabilityParts): TransitSpoke {
  const { awsProvider, network, apiSecurityGroupId } = parts;
  return new TransitSpoke("transit", {
    awsProvider,
    naming: env.naming,
    transitGatewayId: hub.transitGatewayId,
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    routeTableIds: network.privateRouteTableIds,
    hubCidr: hub.vpcCidr,
    deployRunnerPrefixListId: hub.deployRunnerPrefixListId,
    apiSecurityGroupId,
  });
}

function buildPool(env: Environment) {
  const { cluster, admin } = env.config;
  const pool = cluster.mode === "eks" ? cluster.nodePools.find((p) => p.name === admin!.ciRunners.nodePool) : undefined;
  if (!pool) throw new Error("admin.ciRunners.nodePool names no node pool (config rule hubIsConsistent)");
  return pool;
}
