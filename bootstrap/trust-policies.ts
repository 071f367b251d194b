/**
 * Who may become the deploy and the preview role: GitHub Actions jobs of one repository, told apart by the
 * `sub` claim of their OIDC token. GitHub's "Configuring OpenID Connect in Amazon Web Services" and "OpenID
 * Connect reference" (subject claims): a job that names a GitHub environment gets
 * `repo:<owner>/<repo>:environment:<name>` (so only jobs past that environment's protection rules carry it), a
 * pull-request job `repo:<owner>/<repo>:pull_request`, any other job on a branch `repo:<owner>/<repo>:ref:refs/heads/<branch>`.
 * The audience is `sts.amazonaws.com`, the default of aws-actions/configure-aws-credentials. A repository or
 * organisation that customised its subject template must change these subjects with it.
 */
import type { EnvironmentAccount, OperatorAccess } from "./config";
import { accountRoot, ConditionBlock, policyDocument, PolicyDocument, principalArnIs, Statement } from "./policy-document";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export function oidcProviderArn(account: EnvironmentAccount): string {
  return `arn:${account.partition}:iam::${account.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

function deploySubject(repository: string, stack: string): string {
  return `repo:${repository}:environment:${stack}`;
}

function previewSubjects(repository: string): string[] {
  // Pull requests preview; the nightly drift run is a scheduled job on main (with no environment).
  return [`repo:${repository}:pull_request`, `repo:${repository}:ref:refs/heads/main`];
}

function githubJobs(providerArn: string, subjects: string[]): Statement {
  const subject: ConditionBlock[string] = { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : subjects };
  return {
    Sid: "GitHubActionsJobs",
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    // StringEquals, not StringLike: no wildcard in a subject can admit another environment or branch.
    Condition: { StringEquals: subject },
  };
}

export function deployRoleTrust(account: EnvironmentAccount, repository: string, providerArn: string, operatorAccess?: OperatorAccess): PolicyDocument {
  // The program assumes no role (components/aws-account): the job's credentials are the role's, so the role
  // trusts no one but those jobs, and an operator while the window below is open.
  const statements = [githubJobs(providerArn, [deploySubject(repository, account.stack)])];
  if (operatorAccess) {
    // Break glass, time-boxed: IAM stops honouring the statement at `until` (aws:CurrentTime, a date condition).
    statements.push({
      Sid: "OperatorUntil",
      Effect: "Allow",
      Principal: { AWS: accountRoot(account.partition, account.accountId) },
      Action: "sts:AssumeRole",
      Condition: { ...principalArnIs([operatorAccess.principalArn]), DateLessThan: { "aws:CurrentTime": operatorAccess.until } },
    });
  }
  return policyDocument(statements);
}

export function previewRoleTrust(repository: string, providerArn: string): PolicyDocument {
  return policyDocument([githubJobs(providerArn, previewSubjects(repository))]);
}
