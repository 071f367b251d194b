import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketArn, stateBucketPolicy } from "./bucket-policy";
import type { EnvironmentAccount } from "./environments";
import { stateKeyPolicy } from "./key-policies";
import { META_CONTENT, META_KEY } from "./state-layout";

const STATE_KEY_ALIAS = "alias/pulumi-state";
/** Every checkpoint write leaves the previous one as a noncurrent version; 90 days of them is the recovery window. */
const NONCURRENT_VERSION_DAYS = 90;

export interface StateBackendArgs {
  readonly bucket: string;
  readonly platformProject: string;
  readonly hub: EnvironmentAccount;
  readonly environments: readonly EnvironmentAccount[];
  readonly provider: aws.Provider;
}

/**
 * The bucket of the Pulumi DIY S3 backend, in the admin account: encrypted with a key of its own (SSE-KMS),
 * versioned, never public, objects always owned by the bucket's account, TLS only, and one set of keys per stack
 * (bucket-policy.ts).
 */
export class StateBackend extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: StateBackendArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:bootstrap:StateBackend", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const spokes = args.environments.filter((env) => env.stack !== args.hub.stack);

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the Pulumi state in s3://${args.bucket}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: JSON.stringify(stateKeyPolicy(args.hub, spokes)),
      },
      { ...childOpts, protect: true },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: STATE_KEY_ALIAS, targetKeyId: key.keyId }, childOpts);

    const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucket, forceDestroy: false }, { ...childOpts, protect: true });
    // ACLs off, every object owned by the bucket's account, the spokes' writes included (S3 User Guide,
    // "Controlling ownership of objects and disabling ACLs").
    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      childOpts,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      childOpts,
    );
    // Bucket Keys: S3 asks KMS for a bucket-level key instead of one call per object (S3 User Guide,
    // "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys"); a checkpoint is written after every step.
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
      },
      childOpts,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      childOpts,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "noncurrent-checkpoints",
            status: "Enabled",
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { ...childOpts, dependsOn: versioning },
    );
    const policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: JSON.stringify(
          stateBucketPolicy({ bucket: args.bucket, platformProject: args.platformProject, hub: args.hub, environments: args.environments }),
        ),
      },
      { ...childOpts, dependsOn: [publicAccess, ownership] },
    );
    // Written here so that no role needs to write it: the CLI writes it on first use of an empty bucket (state-layout.ts).
    new aws.s3.BucketObjectv2(
      `${name}-store-version`,
      { bucket: bucket.id, key: META_KEY, content: META_CONTENT, contentType: "text/yaml" },
      { ...childOpts, dependsOn: [encryption, versioning, policy] },
    );

    this.bucketName = bucket.bucket;
    this.keyArn = key.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: bucketArn(args.hub.partition, args.bucket), keyArn: this.keyArn });
  }
}
