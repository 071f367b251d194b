/**
 * The IAM documents of the image path: who may pull the hub's repositories from other accounts, and what a
 * repository's push role may do.
 */

/**
 * What another account needs to pull: the pull actions of AWS's cross-account example (AWS re:Post knowledge
 * center, "How can I allow a secondary account to push or pull images in my Amazon ECR image repository?").
 */
export const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];

/**
 * What pushing an image to a repository takes (Amazon ECR User Guide, "IAM permissions for pushing an image to
 * an Amazon ECR private repository"), plus pulling the repositories' own images back (build caches, base
 * images of the company's own). No delete, no tag or policy changes: tags are immutable, and the lifecycle
 * policy is what removes images.
 */
export const PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
];

/** Logging in to a registry: ECR's authorization token is account-wide, so IAM cannot scope it to a resource. */
export const UNSCOPABLE_LOGIN = "ecr:GetAuthorizationToken";

/**
 * Repository policy of a hub repository: the listed accounts (the spokes) may pull, nothing else. Naming an
 * account delegates to that account's IAM: a principal there pulls only if its own policies allow it too
 * (IAM User Guide, "Cross-account policy evaluation logic"); the spokes' node roles do, through
 * `AmazonEC2ContainerRegistryPullOnly` (its actions on `"*"`, which covers another account's repositories).
 * Account roots rather than the spokes' node roles: ECR refuses a policy naming a role that does not exist yet
 * ("invalid repository policy provided", same article), and the hub is deployed before the environments.
 */
export function crossAccountPullPolicy(partition: string, accountIds: readonly string[]) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "SpokeAccountsPull",
        Effect: "Allow",
        Principal: { AWS: accountIds.map((account) => `arn:${partition}:iam::${account}:root`) },
        Action: PULL_ACTIONS,
      },
    ],
  };
}

/** Identity policy of one repository's push role: push to that repository, and log in to the registry. */
export function pushPolicy(repositoryArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PushToItsRepository", Effect: "Allow", Action: PUSH_ACTIONS, Resource: repositoryArn },
      { Sid: "RegistryLogin", Effect: "Allow", Action: UNSCOPABLE_LOGIN, Resource: "*" },
    ],
  };
}

/**
 * What a first pull through an ECR pull-through cache needs besides the pull itself: ECR creates the cached
 * repository and imports the image with the puller's permissions (ECR User Guide, "IAM permissions required to sync
 * an upstream registry with an Amazon ECR private registry"), for the caches' prefixes only.
 */
export function firstPullThroughPolicy(scope: { partition: string; region: string; accountId: string }, prefixes: readonly string[]) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "FirstPullThroughCache",
        Effect: "Allow",
        Action: ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
        Resource: prefixes.map((prefix) => `arn:${scope.partition}:ecr:${scope.region}:${scope.accountId}:repository/${prefix}/*`),
      },
    ],
  };
}
