import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";

export { PublishedOutputs, publishedOutputsKey, publishOutputs, readPublishedOutputs } from "./published-outputs";

export interface AwsAccountArgs {
  readonly naming: Naming;
  readonly region: string;
  readonly accountId: string;
  /** The role deployments run as: its permissions boundary is the one every role of the environment carries. */
  readonly deployRoleArn: string;
}

/** The environment's AWS provider, which also knows the permissions boundary of the roles created through it. */
export class EnvironmentAwsProvider extends aws.Provider {
  readonly permissionsBoundaryArn: string;

  constructor(name: string, args: AwsAccountArgs) {
    super(name, {
      region: args.region,
      // No assumeRoles: the credentials are the job's (the deploy role for `up`, the preview role for previews), so
      // the provider's inputs, and with them the preview, are the same whichever role runs the program. Removing
      // assumeRoles is an in-place update of the provider: pulumi-aws marks no config key as forcing replacement
      // (provider/resources.go; pulumi-terraform-bridge configDiffer.DiffConfig replaces only ForcesProviderReplace keys).
      // A guard against credentials that resolve to another account (e.g. prod's role ARN pasted into stage).
      allowedAccountIds: [args.accountId],
      defaultTags: { tags: args.naming.tags() },
    });
    this.permissionsBoundaryArn = permissionsBoundaryArn(args.deployRoleArn);
  }
}

/**
 * The one AWS provider of an environment. Every AWS resource and invoke takes it explicitly, so nothing
 * depends on the operator's ambient region or profile; credentials of any other account are refused.
 */
export function environmentAwsProvider(name: string, args: AwsAccountArgs): EnvironmentAwsProvider {
  return new EnvironmentAwsProvider(name, args);
}

/**
 * The bootstrap's permissions boundary of a deploy role, `<role name>-boundary` in the role's account
 * (bootstrap/role-policies.ts). It requires itself on every role the deploy role creates, so no role of the
 * platform can do more than the deploy role may.
 */
export function permissionsBoundaryArn(deployRoleArn: string): string {
  const [, partition, , , accountId, resource] = deployRoleArn.split(":");
  return `arn:${partition}:iam::${accountId}:policy/${resource.split("/").pop()}-boundary`;
}

/**
 * Every IAM role of the platform: an `aws.iam.Role` with the environment's permissions boundary, without which the
 * deploy role may not create it (the bootstrap's boundary denies iam:CreateRole without `iam:PermissionsBoundary`).
 * `opts.provider` must be the environment's provider (environmentAwsProvider), which knows the boundary.
 */
export function boundedRole(
  name: string,
  args: Omit<aws.iam.RoleArgs, "permissionsBoundary">,
  opts: pulumi.CustomResourceOptions & { provider: aws.Provider },
): aws.iam.Role {
  if (!(opts.provider instanceof EnvironmentAwsProvider)) {
    throw new Error(
      `IAM role ${name}: its provider must be the environment's (environmentAwsProvider), which knows the permissions boundary`,
    );
  }
  return new aws.iam.Role(name, { ...args, permissionsBoundary: opts.provider.permissionsBoundaryArn }, opts);
}

/** `aws`, `aws-us-gov` or `aws-cn`, read from an ARN of the account, for ARNs of AWS-managed policies. */
export function partitionOf(arn: string): string {
  return arn.split(":")[1];
}

/** ARN of an AWS-managed IAM policy, e.g. `AmazonEKSClusterPolicy` or `service-role/AmazonEBSCSIDriverPolicy`. */
export function managedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}
