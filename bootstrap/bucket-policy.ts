/**
 * The state bucket's policy: one set of object keys per environment, its stack's and its tenancy shards'
 * (state-layout.ts), each writable by that environment's deploy role only; admin's also holds the outputs it
 * publishes for the spokes, the one object of admin's the spokes' roles may read. Explicit denials make that hold whatever IAM policies say: an explicit Deny in
 * a bucket policy overrides any Allow, the admin account's own AdministratorAccess included (IAM User Guide,
 * "Policy evaluation logic"). The spokes' roles get the bucket only through the Allow statements here (a
 * cross-account request needs the bucket policy and the caller's IAM policy to allow it).
 */
import { denyPlainHttp } from "../components/aws-account/private-bucket";
import { publishedOutputsKey } from "../components/aws-account/published-outputs";
import type { EnvironmentAccount } from "./environments";
import { policyDocument, PolicyDocument, principalArnIs, principalsOfAccounts, Statement } from "./policy-document";
import { checkpointKeys, environmentStateKeys, META_KEY } from "./state-layout";

export interface StateBucketPolicyArgs {
  readonly bucket: string;
  readonly platformProject: string;
  readonly hub: EnvironmentAccount;
  /** Every environment whose state the bucket holds, admin included. */
  readonly environments: readonly EnvironmentAccount[];
}

const WRITE = ["s3:PutObject", "s3:DeleteObject"];

/**
 * Before prod's plan the workflow checks, with prod's preview role, that stage has run the commit
 * (.github/actions/plan-stack, run by stack-up.yml: `delivery require-deployed stage … prod`, i.e. `pulumi stack history --stack
 * stage`). The CLI checks that stage's checkpoint exists (a HEAD request, which S3 authorises as s3:GetObject) and
 * reads stage's history entries (`*.history.json`), not the checkpoint copies beside them.
 */
export const HISTORY_CHECKS: readonly { readonly reader: string; readonly of: string }[] = [{ reader: "prod", of: "stage" }];

export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

export function stateBucketPolicy(args: StateBucketPolicyArgs): PolicyDocument {
  const { hub, environments, platformProject } = args;
  const bucket = bucketArn(hub.partition, args.bucket);
  const objects = (keys: string[]) => keys.map((key) => `${bucket}/${key}`);
  const everyRole = environments.flatMap((env) => [env.deployRoleArn, env.previewRoleArn]);
  const accounts = principalsOfAccounts(
    hub.partition,
    environments.map((env) => env.accountId),
  );
  const spokes = environments.filter((env) => env.stack !== hub.stack);

  const statements: Statement[] = [
    denyPlainHttp(bucket),
    {
      // Every CLI run reads meta.yaml and lists prefixes (state-layout.ts); key names are not secret.
      Sid: "RolesListAndReadTheStoreVersion",
      Effect: "Allow",
      Principal: accounts,
      Action: ["s3:ListBucket", "s3:GetObject"],
      Resource: [bucket, `${bucket}/${META_KEY}`],
      Condition: principalArnIs(everyRole),
    },
    {
      // Old versions are how a damaged state is recovered: no role of the platform may erase them.
      Sid: "NoRoleErasesHistory",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:DeleteObjectVersion",
      Resource: `${bucket}/*`,
      Condition: principalArnIs(everyRole),
    },
    {
      Sid: "PreviewRolesWriteNothing",
      Effect: "Deny",
      Principal: "*",
      Action: WRITE,
      Resource: `${bucket}/*`,
      Condition: principalArnIs(environments.map((env) => env.previewRoleArn)),
    },
  ];

  // What the spokes read of the hub (stacks/hub-outputs.ts): no secret, and nothing else of the hub's.
  const hubOutputs = publishedOutputsKey(platformProject, hub.stack);
  for (const env of environments) {
    const name = capitalise(env.stack);
    const state = environmentStateKeys(platformProject, env.stack);
    const own = env.stack === hub.stack ? [...state, hubOutputs] : state;
    // Roles of other accounts get only what an Allow here grants; roles of the bucket's account may also have IAM's.
    const otherRolesOfTheBucketsAccount = environments
      .filter((other) => other.stack !== env.stack && other.accountId === hub.accountId)
      .flatMap((other) => [other.deployRoleArn, other.previewRoleArn]);
    statements.push(
      {
        Sid: `${name}DeployRoleWritesItsStack`,
        Effect: "Allow",
        Principal: principalsOfAccounts(env.partition, [env.accountId]),
        Action: ["s3:GetObject", ...WRITE],
        Resource: objects(own),
        Condition: principalArnIs([env.deployRoleArn]),
      },
      {
        Sid: `${name}PreviewRoleReadsItsStack`,
        Effect: "Allow",
        Principal: principalsOfAccounts(env.partition, [env.accountId]),
        Action: "s3:GetObject",
        Resource: objects(own),
        Condition: principalArnIs([env.previewRoleArn]),
      },
      {
        Sid: `OnlyTheDeployRoleOf${name}WritesItsStack`,
        Effect: "Deny",
        Principal: "*",
        Action: WRITE,
        Resource: objects(own),
        Condition: { ArnNotEquals: { "aws:PrincipalArn": env.deployRoleArn } },
      },
      {
        Sid: `TheDeployRoleOf${name}WritesNothingElse`,
        Effect: "Deny",
        Principal: "*",
        Action: WRITE,
        NotResource: objects(own),
        Condition: principalArnIs([env.deployRoleArn]),
      },
    );
    if (otherRolesOfTheBucketsAccount.length > 0) {
      statements.push({
        Sid: `OtherRolesDoNotRead${name}sState`,
        Effect: "Deny",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: objects(state),
        Condition: principalArnIs(otherRolesOfTheBucketsAccount),
      });
    }
  }
  for (const check of HISTORY_CHECKS) {
    const [reader, of] = [check.reader, check.of].map((stack) => environments.find((env) => env.stack === stack));
    if (!reader || !of) continue;
    statements.push({
      Sid: `${capitalise(reader.stack)}PreviewRoleReads${capitalise(of.stack)}sHistory`,
      Effect: "Allow",
      Principal: principalsOfAccounts(reader.partition, [reader.accountId]),
      Action: "s3:GetObject",
      Resource: objects([checkpointKeys(platformProject, of.stack), `.pulumi/history/${platformProject}/${of.stack}/*.history.json*`]),
      Condition: principalArnIs([reader.previewRoleArn]),
    });
  }
  if (spokes.length > 0) {
    statements.push({
      Sid: "SpokesReadTheHubsPublishedOutputs",
      Effect: "Allow",
      Principal: principalsOfAccounts(
        hub.partition,
        spokes.map((env) => env.accountId),
      ),
      Action: "s3:GetObject",
      Resource: `${bucket}/${hubOutputs}`,
      Condition: principalArnIs(spokes.flatMap((env) => [env.deployRoleArn, env.previewRoleArn])),
    });
  }
  return policyDocument(statements);
}

function capitalise(word: string): string {
  return word.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
}
