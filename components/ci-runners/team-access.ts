/**
 * A team's CI identity in one environment: an IAM role that only the team's repositories' jobs in the GitHub
 * environment of that name can assume, whose one IAM permission is to describe its environment's cluster, and an
 * EKS access entry that puts it in the team's own Kubernetes group. Each namespace of the team binds that group to
 * `developer` (components/tenancy/team.ts): the role deploys to its team's namespaces and nowhere else, whichever
 * runner the job runs on.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { teamCiRoleName } from "../../config/rules-ci";
import type { TeamConfig } from "../../config/sections/tenancy";
import { Naming } from "../../lib/naming";
import { boundedRole } from "../aws-account";
import { teamCiGroup } from "../tenancy/team";
import { AwsAccountRef, githubEnvironmentTrust } from "./github-oidc";

/** Where a team's CI identity lives: its environment's account and cluster. */
export interface TeamCiTarget extends AwsAccountRef {
  readonly region: string;
  /** The environment's deploy role, whose permissions boundary every role it creates carries. */
  readonly deployRoleArn: string;
  readonly clusterName: pulumi.Input<string>;
}

export interface TeamCiAccessArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly team: TeamConfig & { readonly ci: NonNullable<TeamConfig["ci"]> };
  readonly target: TeamCiTarget;
}

export class TeamCiAccess extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: TeamCiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ci-runners:TeamCiAccess", name, {}, opts);
    const { naming, team, target } = args;
    const awsOpts = { parent: this, provider: args.awsProvider };
    const environment = naming.environment;
    const role = boundedRole(
      `${name}-role`,
      {
        name: teamCiRoleName(environment, team.name),
        description: `CI of team ${team.name}: deploys to its namespaces in ${environment}, from its repositories' jobs in the GitHub environment ${environment}`,
        assumeRolePolicy: JSON.stringify(githubEnvironmentTrust(target, team.ci.repositories, environment)),
        tags: naming.tags(team),
      },
      awsOpts,
    );
    // `aws eks update-kubeconfig` reads the cluster's endpoint and CA with eks:DescribeCluster (an IAM action, which
    // no access entry grants): that cluster only, and nothing else in the account.
    new aws.iam.RolePolicy(
      `${name}-describe-cluster`,
      {
        role: role.name,
        name: "describe-cluster",
        policy: pulumi.output(target.clusterName).apply((cluster) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "eks:DescribeCluster",
                Resource: `arn:${target.partition}:eks:${target.region}:${target.accountId}:cluster/${cluster}`,
              },
            ],
          }),
        ),
      },
      awsOpts,
    );
    // kubernetesGroups only, no access policy: what the group may do is the team namespaces' RoleBindings.
    new aws.eks.AccessEntry(
      `${name}-access-entry`,
      { clusterName: target.clusterName, principalArn: role.arn, type: "STANDARD", kubernetesGroups: [teamCiGroup(team.name)] },
      awsOpts,
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
