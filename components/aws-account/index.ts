import * as aws from "@pulumi/aws";
import { Naming } from "../../lib/naming";

export interface AwsAccountArgs {
  readonly naming: Naming;
  readonly region: string;
  readonly accountId: string;
  /** Assumed for every call, so that no long-term key is ever configured. */
  readonly deployRoleArn: string;
}

/**
 * The one AWS provider of an environment. Every AWS resource and invoke takes it explicitly, so nothing
 * depends on the operator's ambient credentials, region or profile.
 */
export function environmentAwsProvider(name: string, args: AwsAccountArgs): aws.Provider {
  return new aws.Provider(name, {
    region: args.region,
    // The session name shows in CloudTrail which environment's deployment made a call.
    assumeRoles: [{ roleArn: args.deployRoleArn, sessionName: `pulumi-${args.naming.environment}` }],
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
