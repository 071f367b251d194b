import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PrivateBucketArgs {
  readonly bucketName: string;
  readonly tags: Record<string, string>;
  /** Delete the bucket with its objects when the stack is destroyed (never for a protected bucket). */
  readonly forceDestroy: boolean;
}

/**
 * An S3 bucket as every bucket of the platform is (and the policy pack requires): public access blocked,
 * encrypted with SSE-S3, versioned. SSE-S3 rather than a KMS key: AWS services that deliver into it (log
 * delivery) and restores into another account need no key policy. `opts` carries the caller's parent, provider,
 * protect and retainOnDelete, which apply to the bucket and each of its settings alike.
 */
export function privateBucket(name: string, args: PrivateBucketArgs, opts: pulumi.CustomResourceOptions) {
  const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName, forceDestroy: args.forceDestroy, tags: args.tags }, opts);
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );
  new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts);
  return { bucket, publicAccess };
}

/**
 * The statement every bucket policy of the platform starts with: requests without TLS are denied, whoever makes
 * them (AWS Security Hub control S3.5 asks for it).
 */
export function denyPlainHttp(bucketArn: string) {
  return {
    Sid: "DenyPlainHttp",
    Effect: "Deny" as const,
    Principal: "*" as const,
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
