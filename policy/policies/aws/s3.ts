/**
 * S3 buckets are encrypted, versioned and closed to the public. In aws v7 each of these is a separate resource
 * pointing at the bucket (the inline Bucket arguments are deprecated), so these are stack policies that look
 * for the bucket's companions.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { Described, described } from "../catalogue";
import { ofTypes } from "../common";

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const ENCRYPTION = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const PUBLIC_ACCESS_BLOCK = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];

/**
 * Whether a companion configures this bucket. Its `bucket` input is usually the bucket's id, unknown during
 * preview, so the dependency on the bucket decides; a companion naming a bucket literally is matched by name.
 */
function configures(companion: PolicyResource, bucket: PolicyResource): boolean {
  const viaProperty = companion.propertyDependencies?.bucket ?? [];
  const buckets = (viaProperty.length > 0 ? viaProperty : companion.dependencies).filter((d) => BUCKETS.includes(d.type));
  if (buckets.length > 0) return buckets.some((d) => d.urn === bucket.urn);
  return bucket.props.bucket !== undefined && companion.props.bucket === bucket.props.bucket;
}

/** A stack policy reporting every bucket that none of its companions of `types` configures as `isCompliant` requires. */
function bucketPolicy(
  about: Described,
  types: string[],
  isCompliant: (props: Record<string, any>) => boolean,
  remedy: string,
): StackValidationPolicy {
  return {
    ...about,
    validateStack: (args, reportViolation) => {
      const companions = ofTypes(args.resources, ...types);
      for (const bucket of ofTypes(args.resources, ...BUCKETS)) {
        if (!companions.some((c) => configures(c, bucket) && isCompliant(c.props))) {
          reportViolation(`Bucket ${bucket.name}: ${remedy}`, bucket.urn);
        }
      }
    },
  };
}

export const s3Encryption = bucketPolicy(
  described("aws-s3-bucket-encryption"),
  ENCRYPTION,
  (props) => ((props.rules ?? []) as any[]).some((rule) => rule.applyServerSideEncryptionByDefault?.sseAlgorithm !== undefined),
  "no BucketServerSideEncryptionConfiguration with applyServerSideEncryptionByDefault.sseAlgorithm.",
);

export const s3Versioning = bucketPolicy(
  described("aws-s3-bucket-versioning"),
  VERSIONING,
  (props) => props.versioningConfiguration?.status === "Enabled",
  'no BucketVersioning with versioningConfiguration.status "Enabled".',
);

export const s3PublicAccessBlock = bucketPolicy(
  described("aws-s3-bucket-public-access-block"),
  PUBLIC_ACCESS_BLOCK,
  (props) =>
    props.blockPublicAcls === true &&
    props.blockPublicPolicy === true &&
    props.ignorePublicAcls === true &&
    props.restrictPublicBuckets === true,
  "no BucketPublicAccessBlock with all four settings true.",
);
