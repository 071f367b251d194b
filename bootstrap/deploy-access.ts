import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { managedPolicyArn } from "../components/aws-account";
import type { OperatorAccess } from "./config";
import type { EnvironmentAccount } from "./environments";
import { secretsKeyAlias, secretsKeyPolicy } from "./key-policies";
import { roleNameAndPath } from "./policy-document";
import {
  boundaryPolicyName,
  DEPLOY_ROLE_MAX_SESSION_SECONDS,
  deployRoleBoundary,
  previewBackendAccess,
  previewDeniedSecretReads,
} from "./role-policies";
import { deployRoleTrust, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, oidcProviderArn, previewRoleTrust } from "./trust-policies";

export interface DeployAccessArgs {
  readonly account: EnvironmentAccount;
  /** `<owner>@<owner id>/<repository>@<repository id>` whose workflows may assume the roles. */
  readonly repository: string;
  readonly operatorAccess?: OperatorAccess;
  readonly stateBucketArn: string;
  /** The state bucket's key (admin's account). */
  readonly stateKeyArn: pulumi.Input<string>;
  /** The environment's public zone, which the deploy role's boundary leaves it the records of. */
  readonly hostedZoneArn: pulumi.Input<string>;
  /** admin only: the state bucket, which the deploy role's boundary keeps out of its reach. */
  readonly protectStateBucket: boolean;
  readonly provider: aws.Provider;
}

/**
 * One account's way in for CI: the GitHub OIDC provider, the deploy role (jobs of the environment's GitHub
 * environment), the preview role (pull requests and main) and the KMS key of the stack's Pulumi secrets.
 */
export class DeployAccess extends pulumi.ComponentResource {
  readonly deployRoleArn: pulumi.Output<string>;
  readonly previewRoleArn: pulumi.Output<string>;
  readonly secretsKeyArn: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;

  constructor(name: string, args: DeployAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:bootstrap:DeployAccess", name, {}, opts);
    const { account } = args;
    const childOpts = { parent: this, provider: args.provider };

    // IAM trusts GitHub's certificate through its own root CAs, so no thumbprint is pinned (IAM User Guide,
    // "Create an OpenID Connect (OIDC) identity provider in IAM"). One provider per URL and account: an existing
    // one is imported (docs/bootstrap.md).
    const oidc = new aws.iam.OpenIdConnectProvider(
      `${name}-github-oidc`,
      { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE] },
      childOpts,
    );

    // Losing this key loses every secret of the stack: protected, and deletion waits the longest window.
    const secretsKey = new aws.kms.Key(
      `${name}-secrets-key`,
      {
        description: `Pulumi secrets of the ${account.stack} stack (secretsprovider awskms://${secretsKeyAlias(account.stack)})`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: JSON.stringify(secretsKeyPolicy(account)),
      },
      { ...childOpts, protect: true },
    );
    new aws.kms.Alias(`${name}-secrets-key-alias`, { name: secretsKeyAlias(account.stack), targetKeyId: secretsKey.keyId }, childOpts);

    const protectedArns = pulumi.all([secretsKey.arn, args.protectStateBucket ? args.stateKeyArn : undefined, args.hostedZoneArn]);
    const boundary = new aws.iam.Policy(
      `${name}-deploy-boundary`,
      {
        name: boundaryPolicyName(account),
        description:
          `Permissions boundary of ${account.deployRoleArn} and of every role it creates: ` +
          "everything but the bootstrap's own resources",
        policy: protectedArns.apply(([secretsKeyArn, stateKeyArn, hostedZoneArn]) =>
          JSON.stringify(
            deployRoleBoundary(account, {
              oidcProviderArn: oidcProviderArn(account),
              keyArns: stateKeyArn ? [secretsKeyArn, stateKeyArn] : [secretsKeyArn],
              stateBucketArn: args.protectStateBucket ? args.stateBucketArn : undefined,
              hostedZoneArn,
            }),
          ),
        ),
      },
      childOpts,
    );

    const deployRole = new aws.iam.Role(
      `${name}-deploy-role`,
      {
        ...roleNameAndPath(account.deployRoleArn),
        description: `Deploys the ${account.stack} stack from its GitHub environment`,
        assumeRolePolicy: oidc.arn.apply((arn) => JSON.stringify(deployRoleTrust(account, args.repository, arn, args.operatorAccess))),
        maxSessionDuration: DEPLOY_ROLE_MAX_SESSION_SECONDS,
        permissionsBoundary: boundary.arn,
      },
      childOpts,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-deploy-administrator`,
      { role: deployRole.name, policyArn: managedPolicyArn(account.partition, "AdministratorAccess") },
      childOpts,
    );

    const previewRole = new aws.iam.Role(
      `${name}-preview-role`,
      {
        ...roleNameAndPath(account.previewRoleArn),
        description: `Previews and plans the ${account.stack} stack (approved pull requests, main, release tags) and checks drift: reads, never writes`,
        assumeRolePolicy: oidc.arn.apply((arn) => JSON.stringify(previewRoleTrust(account, args.repository, arn))),
      },
      childOpts,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-preview-read-only`,
      { role: previewRole.name, policyArn: managedPolicyArn(account.partition, "ReadOnlyAccess") },
      childOpts,
    );
    new aws.iam.RolePolicy(
      `${name}-preview-no-secret-reads`,
      { role: previewRole.name, policy: JSON.stringify(previewDeniedSecretReads(args.stateBucketArn)) },
      childOpts,
    );
    new aws.iam.RolePolicy(
      `${name}-preview-state`,
      {
        role: previewRole.name,
        policy: pulumi
          .all([secretsKey.arn, args.stateKeyArn])
          .apply((keys) => JSON.stringify(previewBackendAccess(args.stateBucketArn, keys))),
      },
      childOpts,
    );

    this.deployRoleArn = deployRole.arn;
    this.previewRoleArn = previewRole.arn;
    this.secretsKeyArn = secretsKey.arn;
    this.oidcProviderArn = oidc.arn;
    this.registerOutputs({
      deployRoleArn: this.deployRoleArn,
      previewRoleArn: this.previewRoleArn,
      secretsKeyArn: this.secretsKeyArn,
      oidcProviderArn: this.oidcProviderArn,
    });
  }
}
