import * as aws from "@pulumi/aws";
import { Naming } from "../../lib/naming";

export interface AwsAccountArgs {
  readonly naming: Naming;
  readonly region: string;
  readonly accountId: string;
}

/**
 * The one AWS provider of an environment. Every AWS resource and invoke takes it explicitly, so nothing
 * depends on the operator's ambient region or profile; credentials of any other account are refused.
 */
export function environmentAwsProvider(name: string, args: AwsAccountArgs): aws.Provider {
  return new aws.Provider(name, {
    region: args.region,
    // No assumeRoles: the credentials are the job's (the deploy role for `up`, the preview role for previews), so
    // the provider's inputs, and with them the preview, are the same whichever role runs the program. Removing
    // assumeRoles is an in-place update of the provider: pulumi-aws marks no config key as forcing replacement
    // (provider/resources.go; pulumi-terraform-bridge configDiffer.DiffConfig replaces only ForcesProviderReplace keys).
    // A guard against credentials that resolve to another account (e.g. prod's role ARN pasted into stage).
    allowedAccountIds: [args.accountId],
    defaultTags: { tags: args.naming.tags() },
  });
}

/** `aws`, `aws-us-gov` or `aws-cn`, read from an ARN of the account, for ARNs of AWS-managed policies. */
export function partitionOf(arn: string): string {
  return arn.split(":")[1];
}

/** ARN of an AWS-managed IAM policy, e.g. `AmazonEKSClusterPolicy` or `service-role/AmazonEBSCSIDriverPolicy`. */
export function managedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}
