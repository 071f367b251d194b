/**
 * GitHub Actions jobs as AWS principals: the account's GitHub OIDC provider (created by the bootstrap,
 * bootstrap/deploy-access.ts) and trust policies that admit jobs by the `sub` of their token. GitHub's "OpenID
 * Connect reference": a job that names a GitHub environment gets `repo:<repository>:environment:<name>`, so only
 * jobs past that environment's protection rules (required reviewers, deployment branches) carry it.
 */

/** Same host and audience as the bootstrap's (bootstrap/trust-policies.ts); a unit test keeps them equal. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export interface AwsAccountRef {
  readonly partition: string;
  readonly accountId: string;
}

export function githubOidcProviderArn({ partition, accountId }: AwsAccountRef): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

/**
 * Trust of a role that jobs of `repositories` assume in the GitHub environment `environment`. StringEquals, and the
 * subjects hold no wildcard: no other repository, environment, branch or pull request matches.
 */
export function githubEnvironmentTrust(account: AwsAccountRef, repositories: readonly string[], environment: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActionsJobs",
        Effect: "Allow",
        Principal: { Federated: githubOidcProviderArn(account) },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: repositories.map((repository) => `repo:${repository}:environment:${environment}`),
          },
        },
      },
    ],
  };
}
