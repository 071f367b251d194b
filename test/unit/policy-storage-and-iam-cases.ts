/**
 * Cases of the storage and IAM policies for the case table of test/unit/policy.test.ts: every bucket encrypted,
 * versioned and closed to the public (through companion resources found by dependency or by name), no IAM grant of
 * every action on every resource, and KMS keys that rotate.
 */
import type { ResourceSnapshot } from "../../policy/evaluate";
import { Case, FailingCase, resource } from "../policy-cases";
import { kmsKey } from "./policy-fixtures";

const bucket = (name = "prod-backups") => resource("aws:s3/bucket:Bucket", { bucket: name }, { name });
/** A bucket's companion points at it by id, so (as in the engine) it depends on the bucket. */
const companion = (type: string, of: ResourceSnapshot, props: Record<string, any>) =>
  resource(`aws:s3/${type}:${type[0].toUpperCase()}${type.slice(1)}`, { bucket: `${of.name}-id`, ...props }, { dependencies: [of.urn] });
const encryption = (of: ResourceSnapshot, sseAlgorithm: string | null = "aws:kms") =>
  companion("bucketServerSideEncryptionConfiguration", of, {
    rules: [{ applyServerSideEncryptionByDefault: sseAlgorithm ? { sseAlgorithm } : undefined }],
  });
const versioning = (of: ResourceSnapshot, status = "Enabled") => companion("bucketVersioning", of, { versioningConfiguration: { status } });
const ALL_BLOCKED = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const publicAccessBlock = (of: ResourceSnapshot, settings: Record<string, boolean> = ALL_BLOCKED) =>
  companion("bucketPublicAccessBlock", of, settings);

const document = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const SCOPED = { Sid: "Backups", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::prod-backups/*" };
const WILDCARD = { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" };
const iamPolicy = (policyDocument: unknown) => resource("aws:iam/policy:Policy", { policy: policyDocument });

export const STORAGE_AND_IAM_CASES: Record<string, { pass: Case[]; fail: FailingCase[] }> = {
  "aws-s3-bucket-encryption": {
    pass: [
      {
        name: "SSE-KMS by dependency",
        resources: () => {
          const b = bucket();
          return [b, encryption(b)];
        },
      },
      {
        name: "SSE by literal bucket name",
        resources: () => [
          bucket("logs"),
          resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", {
            bucket: "logs",
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
          }),
        ],
      },
    ],
    fail: [
      {
        name: "no encryption resource",
        resources: () => [bucket()],
        expected: /^Bucket prod-backups: no BucketServerSideEncryptionConfiguration/,
      },
      {
        name: "a rule without a default",
        resources: () => {
          const b = bucket();
          return [b, encryption(b, null)];
        },
        expected: /no BucketServerSideEncryptionConfiguration/,
      },
      {
        name: "another bucket's encryption",
        resources: () => {
          const a = bucket("a");
          return [a, bucket("b"), encryption(a)];
        },
        expected: /^Bucket b:/,
      },
    ],
  },
  "aws-s3-bucket-versioning": {
    pass: [
      {
        name: "Enabled",
        resources: () => {
          const b = bucket();
          return [b, versioning(b)];
        },
      },
      {
        name: "Enabled, found through the bucket property's dependencies",
        resources: () => {
          const b = bucket();
          const v = versioning(b);
          return [b, { ...v, dependencies: [], propertyDependencies: { bucket: [b.urn] } }];
        },
      },
    ],
    fail: [
      {
        name: "Suspended",
        resources: () => {
          const b = bucket();
          return [b, versioning(b, "Suspended")];
        },
        expected: /no BucketVersioning/,
      },
      { name: "no versioning resource", resources: () => [bucket()], expected: /no BucketVersioning/ },
    ],
  },
  "aws-s3-bucket-public-access-block": {
    pass: [
      {
        name: "all four blocked",
        resources: () => {
          const b = bucket();
          return [b, publicAccessBlock(b)];
        },
      },
    ],
    fail: [
      {
        name: "public policies allowed",
        resources: () => {
          const b = bucket();
          return [b, publicAccessBlock(b, { ...ALL_BLOCKED, blockPublicPolicy: false })];
        },
        expected: /no BucketPublicAccessBlock/,
      },
      { name: "no block", resources: () => [bucket()], expected: /no BucketPublicAccessBlock/ },
    ],
  },
  "aws-iam-no-wildcard-admin": {
    pass: [
      { name: "a scoped policy", resources: () => [iamPolicy(document(SCOPED))] },
      { name: "Deny on everything", resources: () => [iamPolicy(document({ ...WILDCARD, Effect: "Deny" }))] },
      {
        name: "a service's own wildcard on its resources",
        resources: () => [iamPolicy(document({ Effect: "Allow", Action: "ec2:*", Resource: "*" }))],
      },
      {
        name: "a trust policy is not a grant",
        resources: () => [resource("aws:iam/role:Role", { assumeRolePolicy: document({ Effect: "Allow", Action: "*", Resource: "*" }) })],
      },
    ],
    fail: [
      {
        name: "Action * on Resource * in a JSON string",
        resources: () => [iamPolicy(document(SCOPED, WILDCARD))],
        expected: /Statement Everything allows every action on every resource/,
      },
      {
        name: "a document object with lists",
        resources: () => [
          resource("aws:iam/rolePolicy:RolePolicy", {
            role: "r",
            policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["*:*"], Resource: ["*"] }] },
          }),
        ],
        expected: /\(no Sid\) allows every action/,
      },
      {
        name: "a role's inline policy",
        resources: () => [
          resource("aws:iam/role:Role", { assumeRolePolicy: "{}", inlinePolicies: [{ name: "all", policy: document(WILDCARD) }] }),
        ],
        expected: /allows every action/,
      },
      {
        name: "AdministratorAccess attached",
        resources: () => [
          resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
            role: "r",
            policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
          }),
        ],
        expected: /AdministratorAccess is attached/,
      },
    ],
  },
  "aws-kms-key-rotation": {
    pass: [
      { name: "rotation on", resources: () => [kmsKey({ enableKeyRotation: true })] },
      {
        name: "an asymmetric key cannot rotate",
        resources: () => [kmsKey({ customerMasterKeySpec: "RSA_3072", keyUsage: "SIGN_VERIFY" })],
      },
    ],
    fail: [
      { name: "rotation unset", resources: () => [kmsKey({})], expected: /does not rotate/ },
      { name: "rotation off", resources: () => [kmsKey({ enableKeyRotation: false })], expected: /does not rotate/ },
    ],
  },
};
