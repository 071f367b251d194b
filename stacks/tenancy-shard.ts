import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, LoadedShard } from "../config/load";
import { parsePath, showValue, valueAt } from "../config/key-paths";
import type { Violation } from "../config/violation";
import { teamQuotasAdmitDefaults } from "../config/rules-workloads";
import type { TeamConfig } from "../config/sections/tenancy";
import { deployTeams, KUBECONFIG_OUTPUT, PULL_SECRET_OUTPUT, TENANCY_OUTPUT, TenancyContext } from "./tenancy";

/**
 * `<environment>-tenancy-<n>`: some of an environment's teams, on its cluster, with what the environment's stack
 * publishes (stacks/tenancy.ts). Nothing cluster-wide lives here: the environment's stack keeps the RBAC model,
 * the guardrails and the services, so a shard's preview and update cover its own teams only.
 */
export async function tenancyShard({ stack, shard, config }: LoadedShard): Promise<Record<string, unknown>> {
  const environmentStack = `${pulumi.getOrganization()}/${pulumi.getProject()}/${shard.environment}`;
  const environment = new pulumi.StackReference("environment", { name: environmentStack });
  const details = await environment.getOutputDetails(TENANCY_OUTPUT);
  // Plain as published; were any part of it ever secret, the engine would hand over the whole output as secret.
  const context = (details.value ?? details.secretValue) as TenancyContext | undefined;
  if (context === undefined) {
    throw new pulumi.RunError(
      `Stack "${stack}": its environment's stack ${environmentStack} has no "${TENANCY_OUTPUT}" output; ` +
        `deploy ${shard.environment} with this version of the program first (nothing was deployed)`,
    );
  }
  // The rules on a team that depend on its environment: its quota against the default limits, and CI only where
  // the environment publishes an account and cluster for teams' CI roles.
  const violations = [...teamQuotasAdmitDefaults(context.tenancy, config.teams), ...teamCiHasATarget(context, config.teams)];
  if (violations.length > 0) {
    throw new ConfigError(
      stack,
      violations.map((v) => ({ ...v, value: showValue(valueAt(config, parsePath(v.path))) })),
    );
  }

  // Named for the stack, not the environment's provider: the same clusterIdentifier is what keeps a team moved
  // here from the environment's stack from being replaced (the provider's DiffConfig compares only that).
  const provider = new k8s.Provider("cluster", {
    kubeconfig: environment.requireOutput(KUBECONFIG_OUTPUT) as pulumi.Output<string>,
    clusterIdentifier: context.cluster.identifier,
    context: context.cluster.context,
    enableServerSideApply: true,
  });
  const pullSecret = context.pullSecret ? (environment.requireOutput(PULL_SECRET_OUTPUT) as pulumi.Output<string>) : undefined;
  return {
    environment: shard.environment,
    teamNamespaces: deployTeams(config.teams, context, provider, pullSecret),
  };
}

function teamCiHasATarget(context: TenancyContext, teams: readonly TeamConfig[]): Violation[] {
  if (context.teamCi) return [];
  return teams.flatMap((team, i) =>
    team.ci
      ? [{ path: `teams[${i}].ci`, expected: `no ci section: ${context.environment} has no account and cluster for teams' CI roles` }]
      : [],
  );
}
