/**
 * An environment's teams, in whichever stack carries them: the environment's own or one of its tenancy shards
 * (config/tenancy-shards.ts). The environment's stack publishes what a team needs from it as the `tenancy` stack
 * output (and the cluster's kubeconfig), so that a shard deploys its teams exactly as the environment would.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { TeamCiTarget } from "../components/ci-runners/team-access";
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
  /** Where teams' CI roles are created (an EKS environment's account and cluster); absent, no team may have CI. */
  readonly teamCi?: TeamCiTarget;
  /** The environment's public zone, where each team gets a certificate for the names under its domain (TeamCertificate). */
  readonly teamTls?: { readonly hostedZoneId: string };
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
        isolation: context.clusterNetworkPolicies
          ? { after: options.networkPolicyEngine, formerly: options.formerIsolation?.(team.name) }
          : undefined,
      }),
  );
  deployTeamAws(teams, deployed, context, naming);
  return Object.fromEntries(deployed.map((team, i) => [teams[i].name, team.namespaces]));
}

/**
 * What each team has of AWS, as children of its Team, so that they move with the team between stacks: its CI role
 * and access entry (when it has CI), and the certificate of the names under its domain (where the environment has a
 * public zone). Through AWS providers of the teams' own, named and configured alike in the environment's stack and
 * in a shard: moving a team copies no provider that the destination does not already have (`pulumi state move` keeps
 * the destination's provider when their inputs are equal). Loaded only then, so that `local` and its shards load no
 * `@pulumi/aws` (docs/scale.md).
 */
function deployTeamAws(teams: readonly TeamConfig[], deployed: readonly Team[], context: Omit<TenancyContext, "cluster">, naming: Naming) {
  const withCi = teams.flatMap((team, i) => (team.ci ? [{ team: { ...team, ci: team.ci }, parent: deployed[i] }] : []));
  const tls = teams.length > 0 ? context.teamTls : undefined;
  if (withCi.length === 0 && !tls) return;
  const target = context.teamCi;
  if (!target) throw new Error(`${context.environment} publishes no AWS account for its teams' CI roles and certificates`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when a team has something of AWS (above)
  const { environmentAwsProvider } = require("../components/aws-account") as typeof import("../components/aws-account");
  if (withCi.length > 0) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when a team has CI (above)
    const { TeamCiAccess } = require("../components/ci-runners/team-access") as typeof import("../components/ci-runners/team-access");
    const awsProvider = environmentAwsProvider(TEAM_CI_PROVIDER, { naming, ...target });
    for (const { team, parent } of withCi) new TeamCiAccess(`${team.name}-ci`, { awsProvider, naming, team, target }, { parent });
  }
  if (tls) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where teams get certificates (above)
    const { TeamCertificate } = require("../components/dns/team-certificate") as typeof import("../components/dns/team-certificate");
    // A provider apart from the CI roles' one: sharing it would change their provider, which the engine answers by
    // replacing them, and a rollback to a version without certificates would replace them again (fixed IAM names).
    const awsProvider = environmentAwsProvider(TEAM_TLS_PROVIDER, { naming, ...target });
    teams.forEach((team, i) => {
      new TeamCertificate(`${team.name}-tls`, { awsProvider, naming, team, hostedZoneId: tls.hostedZoneId }, { parent: deployed[i] });
    });
  }
}

/** The AWS provider of teams' CI roles, in every stack that carries teams. */
export const TEAM_CI_PROVIDER = "team-ci";
/** The AWS provider of teams' certificates, in every stack that carries teams of an environment with a public zone. */
export const TEAM_TLS_PROVIDER = "team-tls";

/** An EKS environment's account and cluster, where its teams' CI roles live (e2e, stage and prod). */
export function teamCiTarget(env: Environment, clusterName: pulumi.Input<string>): TeamCiTarget {
  const account = env.config.aws;
  if (!account) throw new Error(`the ${env.stack} composition has no aws section, which teams' CI roles need`);
  const { region, accountId, deployRoleArn } = account;
  return { partition: deployRoleArn.split(":")[1], region, accountId, deployRoleArn, clusterName };
}
