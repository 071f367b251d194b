/**
 * What the deploy and preview roles may do in their own account.
 *
 * Deploy role: AdministratorAccess within a permissions boundary. The platform creates VPCs, EKS, IAM roles for
 * its add-ons, KMS keys, buckets, registries, DNS, certificates, a Transit Gateway and a Client VPN; a role that
 * may create IAM roles with policies of its choosing is administrator-equivalent whatever list it is given, so a
 * hand-written list would add failed deployments, not safety. The account is the environment's alone. What the
 * boundary takes away is the bootstrap itself: the roles, the OIDC provider, the boundary, the keys, the public
 * zone and the state bucket, so that a deployment cannot widen its own trust, read another stack's secrets or
 * rewrite the bucket policy (IAM User Guide, "Permissions boundaries for IAM entities": the effective permissions
 * are the intersection of the boundary and the identity policies). And it requires itself on every role and user
 * the deploy role creates or gives permissions to, so that no new identity escapes it (the same page, "Delegating
 * responsibility to others using permissions boundaries": `CreateOrChangeOnlyWithBoundary`,
 * `NoBoundaryUserDelete`); the program sets it on each of its roles (components/aws-account `boundedRole`).
 *
 * Preview role: AWS-managed ReadOnlyAccess (what refreshing and diffing every resource reads) minus reads of
 * secret data, plus the state bucket and its keys.
 */
import { permissionsBoundaryArn } from "../components/aws-account";
import type { EnvironmentAccount } from "./environments";
import { policyDocument, PolicyDocument, Statement } from "./policy-document";

export const DEPLOY_ROLE_MAX_SESSION_SECONDS = 2 * 3600;

export interface ProtectedResources {
  readonly oidcProviderArn: string;
  /** The stack's secrets key, and in admin the state bucket's key. */
  readonly keyArns: readonly string[];
  /** admin only. */
  readonly stateBucketArn?: string;
  /** The environment's public zone: records are the program's, the zone and its delegation the bootstrap's. */
  readonly hostedZoneArn: string;
}

/** IAM actions on a role or user that `iam:PermissionsBoundary` describes (IAM User Guide, "IAM condition keys"). */
const IDENTITY_PERMISSION_ACTIONS = [
  "iam:CreateRole",
  "iam:PutRolePermissionsBoundary",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:CreateUser",
  "iam:PutUserPermissionsBoundary",
  "iam:AttachUserPolicy",
  "iam:DetachUserPolicy",
  "iam:PutUserPolicy",
  "iam:DeleteUserPolicy",
];

/** The boundary's name, `<deploy role name>-boundary`: the program derives the same ARN (permissionsBoundaryArn). */
export function boundaryPolicyName(account: EnvironmentAccount): string {
  return permissionsBoundaryArn(account.deployRoleArn).split("/").pop()!;
}

export function deployRoleBoundary(account: EnvironmentAccount, protect: ProtectedResources): PolicyDocument {
  const boundary = permissionsBoundaryArn(account.deployRoleArn);
  const statements: Statement[] = [
    { Sid: "EverythingTheRoleIsGranted", Effect: "Allow", Action: "*", Resource: "*" },
    {
      Sid: "NotTheBootstrapsIdentities",
      Effect: "Deny",
      NotAction: ["iam:Get*", "iam:List*"],
      Resource: [account.deployRoleArn, account.previewRoleArn, protect.oidcProviderArn, boundary],
    },
    {
      // A role or user without this boundary could do what the boundary denies: none is created, or given
      // permissions, without it. The condition is absent when no boundary is set, and ArnNotEquals then matches.
      Sid: "NewIdentitiesWithinThisBoundary",
      Effect: "Deny",
      Action: IDENTITY_PERMISSION_ACTIONS,
      Resource: "*",
      Condition: { ArnNotEquals: { "iam:PermissionsBoundary": boundary } },
    },
    {
      Sid: "NoBoundaryRemoved",
      Effect: "Deny",
      Action: ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"],
      Resource: "*",
    },
    {
      // The program writes records in the zone (certificates' validation, Dex, external-dns); the bootstrap
      // created it and the parent zone delegates to its name servers, which a new zone would not have.
      Sid: "RecordsButNotTheZone",
      Effect: "Deny",
      NotAction: ["route53:ChangeResourceRecordSets", "route53:Get*", "route53:List*"],
      Resource: protect.hostedZoneArn,
    },
    {
      Sid: "UseButNotAdministerTheBootstrapsKeys",
      Effect: "Deny",
      NotAction: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:Describe*", "kms:Get*", "kms:List*"],
      Resource: [...protect.keyArns],
    },
  ];
  if (protect.stateBucketArn) {
    // Objects are the bucket policy's business; the bucket's own settings and policy are the bootstrap's.
    statements.push({
      Sid: "NotTheStateBucketsSettings",
      Effect: "Deny",
      NotAction: ["s3:Get*", "s3:List*"],
      Resource: protect.stateBucketArn,
    });
  }
  return policyDocument(statements);
}

/**
 * Reads of secret data that ReadOnlyAccess allows (or may allow in a later version: AWS revises managed policies),
 * each denied because its answer is a secret or may carry one, and none needed to preview the platform:
 * - Secrets Manager values and SSM parameters: a SecureString under the AWS-managed key decrypts for anyone with
 *   the ssm action, no key grant needed;
 * - S3 objects outside the state bucket: Velero backups hold every Kubernetes Secret;
 * - DynamoDB items, CloudWatch Logs events and query results (logs carry tokens and request bodies);
 * - ECR image layers and login tokens (images may carry baked-in credentials);
 * - EC2 Windows passwords and console output (boot logs echo user data);
 * - Lambda function code and configuration (environment variables hold secrets).
 * Refreshing the registry's `aws.secretsmanager.SecretVersion` reads its value, so `preview --refresh` under
 * this role fails on it (docs/bootstrap.md).
 */
export function previewDeniedSecretReads(stateBucketArn: string): PolicyDocument {
  return policyDocument([
    {
      Sid: "NoSecretValues",
      Effect: "Deny",
      Action: [
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "ssm:GetParameterHistory",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:PartiQLSelect",
        "logs:GetLogEvents",
        "logs:FilterLogEvents",
        "logs:StartQuery",
        "logs:GetQueryResults",
        "logs:StartLiveTail",
        "logs:GetLogRecord",
        "ecr:GetAuthorizationToken",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ec2:GetPasswordData",
        "ec2:GetConsoleOutput",
        "ec2:GetConsoleScreenshot",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
      ],
      Resource: "*",
    },
    {
      Sid: "NoObjectsButTheState",
      Effect: "Deny",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      NotResource: `${stateBucketArn}/*`,
    },
  ]);
}

/** The preview role's way into the state: the bucket (the bucket policy narrows it) and the keys. */
export function previewBackendAccess(stateBucketArn: string, decryptKeyArns: readonly string[]): PolicyDocument {
  return policyDocument([
    { Sid: "StateBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetObject"], Resource: [stateBucketArn, `${stateBucketArn}/*`] },
    { Sid: "SecretsAndStateKeys", Effect: "Allow", Action: "kms:Decrypt", Resource: [...decryptKeyArns] },
  ]);
}
