import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { denyPlainHttp, privateBucket } from "../aws-account/private-bucket";

export interface BackupBucketArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly bucketName: string;
  readonly partition: string;
  readonly noncurrentVersionDays: number;
  /** Keep the bucket (and its settings) when the stack or the resource is deleted, and refuse to delete it. */
  readonly protect: boolean;
}

/** Days after which parts of an upload that never completed (a Velero pod killed mid-backup) are removed. */
const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/**
 * The S3 bucket Velero writes backups to: private, encrypted, versioned.
 *
 * Lifecycle rules never expire current objects: Velero deletes a backup (and its snapshots) when its TTL
 * passes, and an S3 expiry shorter than a TTL would silently remove live backups. What S3 does clean up is
 * what Velero leaves behind: previous versions after `noncurrentVersionDays` (the window for recovering a
 * backup deleted by mistake or by an attacker), the delete markers that then point at nothing, and parts of
 * uploads that never completed.
 */
export function backupBucket(parent: pulumi.Resource, name: string, args: BackupBucketArgs): aws.s3.Bucket {
  const opts = { parent, provider: args.awsProvider };
  const stateful = { ...opts, protect: args.protect, retainOnDelete: args.protect };
  // SSE-S3: a restore into another account or a rebuilt environment then depends on nothing but the bucket
  // policy, not on a key policy that might be lost with the environment.
  const { bucket, publicAccess } = privateBucket(
    name,
    { bucketName: args.bucketName, tags: args.naming.tags(), forceDestroy: false },
    stateful,
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
          expiration: { expiredObjectDeleteMarker: true },
        },
        {
          id: "abort-incomplete-uploads",
          status: "Enabled",
          filter: {},
          abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
        },
      ],
    },
    stateful,
  );
  const bucketArn = `arn:${args.partition}:s3:::${args.bucketName}`;
  new aws.s3.BucketPolicy(
    `${name}-tls-only`,
    {
      bucket: bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [denyPlainHttp(bucketArn)],
      }),
    },
    // After the access block: S3 aborts concurrent changes to a bucket's policy and its access block.
    { ...stateful, dependsOn: publicAccess },
  );
  return bucket;
}
