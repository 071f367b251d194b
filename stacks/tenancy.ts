/**
 * An environment's teams, in whichever stack carries them: the environment's own or one of its tenancy shards
 * (config/tenancy-shards.ts). The environment's stack publishes what a team needs from it as the `tenancy` stack
 * output (and the cluster's kubeconfig), so that a shard deploys its teams exactly as the environment would.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle } from "../components/cluster/handle";
import { Team } from "../components/tenancy";
import { TeamConfig, TenancyConfig } from "../config/sections/tenancy";
import { Naming } from "../lib/naming";
import { Environment } from "./environment";

export const TENANCY_OUTPUT = "tenancy";
export const KUBECONFIG_OUTPUT = "kubeconfig";
export const PULL_SECRET_OUTPUT = "teamPullSecret";

/** The `tenancy` output: plain values only, so that a shard can decide what to register from them. */
export interface TenancyContext {
  readonly environment: string;
  readonly domain: string;
  readonly owner: string;
  readonly costCentre: string;
  /** The provider settings of the cluster (ClusterAccess), its kubeconfig being the separate secret output. */
  readonly cluster: { readonly identifier: string; readonly context?: string };
  readonly tenancy: TenancyConfig;
  /** Prefix the API server adds to OIDC groups, e.g. `oidc:`. */
  readonly groupsPrefix: string;
  readonly monitoringNamespace: string;
  readonly vpcCidr?: string;
  readonly loadBalancerSources: string[];
  readonly nodePortsRefused: boolean;
  /** Whether ClusterNetworkPolicies are enforced (Calico), and so each team gets its isolation policy. */
  readonly clusterNetworkPolicies: boolean;
  /** The group the hub's CI role is in, which each team namespace binds (environments attached to the hub). */
  readonly ciDeployGroup?: string;
  /** Whether registries need credentials: then the `teamPullSecret` output holds the `.dockerconfigjson`. */
  readonly pullSecret: boolean;
}

type Published<T> = { [K in keyof T]: T[K] extends string ? pulumi.Input<string> : T[K] extends object ? Published<T[K]> : T[K] };

/** The environment stack's outputs a shard reads (its `cluster.identifier` is known once the cluster exists). */
export function publishTenancy(
  env: Environment,
  cluster: ClusterHandle,
  context: Omit<TenancyContext, "environment" | "domain" | "owner" | "costCentre" | "cluster">,
  pullSecret?: pulumi.Output<string>,
) {
  const { environment } = env.config;
  const published: Published<TenancyContext> = {
    environment: env.stack,
    domain: environment.domain,
    owner: environment.owner,
    costCentre: environment.costCentre,
    cluster: { identifier: cluster.access.identifier, context: cluster.access.context },
    ...context,
  };
  return {
    [TENANCY_OUTPUT]: published,
    [KUBECONFIG_OUTPUT]: cluster.access.kubeconfig,
    ...(pullSecret ? { [PULL_SECRET_OUTPUT]: pullSecret } : {}),
  };
}

export interface TeamsOptions {
  /** Calico in the same stack (the environment's), which the isolation policies wait for. */
  readonly networkPolicyEngine?: pulumi.Resource;
  /** Where each team's isolation policy was declared before it moved into the team. */
  readonly formerIsolation?: (team: string) => pulumi.Alias;
}

/** One Team component per team, as every stack that carries teams declares them (`<team name>` at the stack's root). */
export function deployTeams(
  teams: readonly TeamConfig[],
  context: Omit<TenancyContext, "cluster">,
  provider: k8s.Provider,
  pullSecret: pulumi.Output<string> | undefined,
  options: TeamsOptions = {},
): Record<string, string[]> {
  const naming = new Naming(context.environment, context.domain, context);
  const deployed = teams.map(
    (team) =>
      new Team(team.name, {
        provider,
        naming,
        team,
        tenancy: context.tenancy,
        groupsPrefix: context.groupsPrefix,
        monitoringNamespace: context.monitoringNamespace,
        vpcCidr: context.vpcCidr,
        loadBalancerSources: context.loadBalancerSources,
        nodePortsRefused: context.nodePortsRefused,
        pullSecret: context.pullSecret ? pullSecret : undefined,
        ciDeployGroup: context.ciDeployGroup,
        isolation: context.clusterNetworkPolicies
          ? { after: options.networkPolicyEngine, formerly: options.formerIsolation?.(team.name) }
          : undefined,
      }),
  );
  return Object.fromEntries(deployed.map((team, i) => [teams[i].name, team.namespaces]));
}
