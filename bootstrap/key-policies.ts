/**
 * Key policies of the two kinds of KMS keys. The account may administer a key through IAM but never use it:
 * AWS's default key policy gives the account `kms:*`, which would let any IAM policy (ReadOnlyAccess excepted)
 * grant decryption; here only the named roles can, each for what it needs (AWS KMS Developer Guide, "Default key
 * policy" and "Allows key administrators to administer the KMS key"). `kms:CreateGrant` is left out of the
 * administration: a grant is a way to hand out use of the key.
 */
import type { EnvironmentAccount } from "./environments";
import { accountRoot, policyDocument, PolicyDocument, principalArnIs, principalsOfAccounts, Statement } from "./policy-document";

const KEY_ADMINISTRATION_ACTIONS = [
  "kms:Describe*",
  "kms:Get*",
  "kms:List*",
  "kms:PutKeyPolicy",
  "kms:EnableKey",
  "kms:DisableKey",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:RotateKeyOnDemand",
  "kms:UpdateKeyDescription",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:CreateAlias",
  "kms:UpdateAlias",
  "kms:DeleteAlias",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

export function secretsKeyAlias(stack: string): string {
  return `alias/pulumi-${stack}`;
}

/**
 * The stack file's `secretsprovider:`, naming the key by its alias ARN: encrypting (`stack init`,
 * `config set --secret`) with credentials of another account then fails instead of finding that account's own
 * `alias/pulumi-<stack>`. Decrypting needs no key name (gocloud.dev secrets/awskms `keeper.Decrypt` sends only
 * the ciphertext, which names its key).
 */
export function secretsProviderUrl(account: EnvironmentAccount): string {
  const aliasArn = `arn:${account.partition}:kms:${account.region}:${account.accountId}:${secretsKeyAlias(account.stack)}`;
  return `awskms:///${aliasArn}?region=${account.region}`;
}

function administration(account: EnvironmentAccount): Statement {
  return {
    Sid: "AccountAdministersTheKeyButCannotUseIt",
    Effect: "Allow",
    Principal: { AWS: accountRoot(account.partition, account.accountId) },
    Action: KEY_ADMINISTRATION_ACTIONS,
    Resource: "*",
  };
}

/**
 * The key of a stack's Pulumi secrets. The engine encrypts with it when a stack's data key is made
 * (`pulumi stack init --secrets-provider`, `change-secrets-provider`) and decrypts that data key on every run,
 * previews included: the engine decrypts config and state to preview (pulumi/pulumi pkg/secrets/cloud/manager.go,
 * `newCloudSecretsManager` calls the keeper's Decrypt as soon as a stack's secrets manager is built). Only the
 * stack's own roles use it: no other environment reads this stack's state (a StackReference would need the key,
 * pkg/resource/stack/deployment.go `DeserializeStackOutputs`; the spokes read what admin publishes instead).
 */
export function secretsKeyPolicy(account: EnvironmentAccount): PolicyDocument {
  const root = { AWS: accountRoot(account.partition, account.accountId) };
  return policyDocument([
    administration(account),
    {
      Sid: "DeployRoleEncryptsAndDecrypts",
      Effect: "Allow",
      Principal: root,
      Action: ["kms:Encrypt", "kms:Decrypt"],
      Resource: "*",
      Condition: principalArnIs([account.deployRoleArn]),
    },
    {
      Sid: "PreviewRoleDecrypts",
      Effect: "Allow",
      Principal: root,
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: principalArnIs([account.previewRoleArn]),
    },
  ]);
}

/**
 * The state bucket's key, usable only through S3 (`kms:ViaService`): by the admin account's principals as IAM
 * allows them (operators, the bootstrap's own state, admin's roles), and by the spokes' roles, deploy roles to
 * write (GenerateDataKey) and read, preview roles to read. Which objects each may touch is the bucket policy's job.
 */
export function stateKeyPolicy(hub: EnvironmentAccount, spokes: readonly EnvironmentAccount[]): PolicyDocument {
  const viaS3 = { "kms:ViaService": `s3.${hub.region}.amazonaws.com` };
  const spokeAccounts = principalsOfAccounts(
    hub.partition,
    spokes.map((spoke) => spoke.accountId),
  );
  const statements: Statement[] = [
    administration(hub),
    {
      Sid: "AdminAccountUsesItThroughS3",
      Effect: "Allow",
      Principal: { AWS: accountRoot(hub.partition, hub.accountId) },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: { StringEquals: { ...viaS3, "kms:CallerAccount": hub.accountId } },
    },
  ];
  if (spokes.length > 0) {
    statements.push(
      {
        Sid: "SpokeDeployRolesWriteThroughS3",
        Effect: "Allow",
        Principal: spokeAccounts,
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "*",
        Condition: { StringEquals: viaS3, ...principalArnIs(spokes.map((spoke) => spoke.deployRoleArn)) },
      },
      {
        Sid: "SpokePreviewRolesReadThroughS3",
        Effect: "Allow",
        Principal: spokeAccounts,
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: { StringEquals: viaS3, ...principalArnIs(spokes.map((spoke) => spoke.previewRoleArn)) },
      },
    );
  }
  return policyDocument(statements);
}
