import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The Kubernetes group the hub's CI role is in on an environment's cluster. Each team namespace binds it to the
 * `developer` role (components/tenancy/team.ts), in whichever stack carries the team.
 */
export const CI_DEPLOYERS_GROUP = "platform:ci-deployers";

export interface CiDeployAccessArgs {
  readonly awsProvider: aws.Provider;
  readonly clusterName: pulumi.Input<string>;
  /** The hub's CI role (another account): access entries of type STANDARD accept cross-account principals. */
  readonly ciRoleArn: pulumi.Input<string>;
}

/**
 * An environment's grant to the hub's CI runners: an EKS access entry for the CI role in CI_DEPLOYERS_GROUP, which
 * only the team namespaces bind, to what a team's developers may do. Not an EKS access policy scoped to the
 * namespaces: its list of namespaces would be one more object that every team added, in any tenancy shard,
 * changes in the environment's stack. (EKS: "specify one or more group names for the access entry and create and
 * manage Kubernetes role-based access control objects", Associate access policies with access entries.)
 * Platform changes are `pulumi up` runs, which use the environment's deploy role, not this entry.
 */
export class CiDeployAccess extends pulumi.ComponentResource {
  constructor(name: string, args: CiDeployAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ci-runners:CiDeployAccess", name, {}, opts);
    // kubernetesGroups is updated in place (UpdateAccessEntry): an entry made before this change is not replaced.
    new aws.eks.AccessEntry(
      `${name}-entry`,
      { clusterName: args.clusterName, principalArn: args.ciRoleArn, type: "STANDARD", kubernetesGroups: [CI_DEPLOYERS_GROUP] },
      { parent: this, provider: args.awsProvider },
    );
    this.registerOutputs({});
  }
}
