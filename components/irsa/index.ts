/**
 * IAM roles for Kubernetes service accounts (IRSA): a pod gets AWS credentials only through the role its
 * service account is annotated with, and that role trusts exactly one service account of one cluster.
 */
import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryMirrors } from "../../lib/images";
import { Naming } from "../../lib/naming";
import { boundedRole } from "../aws-account";
import { ClusterHandle } from "../cluster/handle";

export type IrsaIssuer = NonNullable<ClusterHandle["irsa"]>;

/** The annotation the EKS pod identity webhook reads to inject a role's web identity credentials. */
export const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";

/** Where a policy may point: the environment's partition, region and account, for ARNs written by hand. */
export interface AwsScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Trust policy: only tokens the cluster's OIDC issuer minted for this service account, for STS. */
export function serviceAccountTrustPolicy(irsa: IrsaIssuer, { namespace, serviceAccount }: ServiceAccountRef): pulumi.Output<string> {
  return pulumi.all([irsa.oidcProviderArn, irsa.oidcIssuer]).apply(([providerArn, issuer]) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: providerArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
              [`${issuer}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    }),
  );
}

export interface ServiceAccountRoleArgs extends ServiceAccountRef {
  readonly awsProvider: aws.Provider;
  readonly irsa: IrsaIssuer;
  readonly naming: Naming;
  /** Short purpose of the role, e.g. `velero`; the role is named `<env>-<purpose>`. */
  readonly purpose: string;
  /** The role's only permissions, as IAM policy JSON; absent for a role that is only an identity (EKS access entries). */
  readonly policy?: pulumi.Input<string>;
}

/** A service account's role, and its ARN as what annotates the account. */
export interface ServiceAccountRole {
  readonly role: aws.iam.Role;
  /**
   * The role's ARN once its policy is in place: a service account annotated with it waits for both, so that its
   * pods never start with a role that cannot do anything yet (IAM applies an inline policy after the role exists).
   */
  readonly arn: pulumi.Output<string>;
}

/**
 * A role for one service account with one inline policy. Inline, so the permissions live and die with the
 * role and no other principal can be given the same policy by attaching it.
 */
export function serviceAccountRole(parent: pulumi.Resource, name: string, args: ServiceAccountRoleArgs): ServiceAccountRole {
  const opts = { parent, provider: args.awsProvider };
  const role = boundedRole(
    `${name}-role`,
    {
      name: args.naming.resource(args.purpose),
      description: `IRSA role of ${args.namespace}/${args.serviceAccount} in the ${args.naming.environment} cluster`,
      assumeRolePolicy: serviceAccountTrustPolicy(args.irsa, args),
      tags: args.naming.tags(),
    },
    opts,
  );
  if (!args.policy) return { role, arn: role.arn };
  const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, name: args.purpose, policy: args.policy }, opts);
  return { role, arn: pulumi.all([role.arn, policy.id]).apply(([arn]) => arn) };
}

/** What a component gets that runs a chart whose service account has an IRSA role of its own. */
export interface IrsaChartArgs {
  readonly provider: k8s.Provider;
  readonly awsProvider: aws.Provider;
  readonly irsa: IrsaIssuer;
  readonly naming: Naming;
  readonly aws: AwsScope;
  /** The environment's ECR pull-through caches: the chart's images come through one where their registry has one. */
  readonly registryMirrors: RegistryMirrors;
}

/** Chart values that create a service account annotated with its role (`serviceAccount` in most charts). */
export interface ChartServiceAccount {
  readonly create: true;
  readonly name: string;
  readonly annotations: Record<string, pulumi.Output<string>>;
}

/**
 * A chart's service account and its IRSA role, named once: the role trusts exactly the account the chart creates,
 * and the chart annotates that account with the role. A mismatch would fail only at run time, when the pod's
 * web identity is refused.
 */
export function chartServiceAccount(
  parent: pulumi.Resource,
  name: string,
  args: Pick<IrsaChartArgs, "awsProvider" | "irsa" | "naming">,
  account: Omit<ServiceAccountRoleArgs, "awsProvider" | "irsa" | "naming">,
): { roleArn: pulumi.Output<string>; serviceAccount: ChartServiceAccount } {
  const { arn } = serviceAccountRole(parent, name, { ...account, awsProvider: args.awsProvider, irsa: args.irsa, naming: args.naming });
  return { roleArn: arn, serviceAccount: { create: true, name: account.serviceAccount, annotations: { [ROLE_ARN_ANNOTATION]: arn } } };
}
