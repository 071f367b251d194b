import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface CiDeployAccessArgs {
  readonly awsProvider: aws.Provider;
  readonly clusterName: pulumi.Input<string>;
  /** The hub's CI role (another account): access entries of type STANDARD accept cross-account principals. */
  readonly ciRoleArn: pulumi.Input<string>;
  /** The team namespaces CI deploys applications into. */
  readonly namespaces: string[];
  readonly partition: string;
}

/**
 * An environment's grant to the hub's CI runners: an EKS access entry for the CI role, with the EKS edit
 * policy in the team namespaces only. Edit, not admin: CI deploys applications, which needs no RBAC, CRDs,
 * cluster-scoped objects or platform namespaces (their service accounts hold cloud roles). Platform changes
 * are `pulumi up` runs, which use the environment's deploy role, not this entry.
 */
export class CiDeployAccess extends pulumi.ComponentResource {
  constructor(name: string, args: CiDeployAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ci-runners:CiDeployAccess", name, {}, opts);
    const childOpts = { parent: this, provider: args.awsProvider };
    const entry = new aws.eks.AccessEntry(`${name}-entry`, { clusterName: args.clusterName, principalArn: args.ciRoleArn, type: "STANDARD" }, childOpts);
    if (args.namespaces.length > 0) {
      new aws.eks.AccessPolicyAssociation(
        `${name}-edit`,
        {
          clusterName: args.clusterName,
          principalArn: args.ciRoleArn,
          policyArn: `arn:${args.partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy`,
          accessScope: { type: "namespace", namespaces: args.namespaces },
        },
        { ...childOpts, dependsOn: entry },
      );
    }
    this.registerOutputs({});
  }
}
