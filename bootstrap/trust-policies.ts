/**
 * Who may become the deploy and the preview role: GitHub Actions jobs of one repository, told apart by the
 * `sub` claim of their OIDC token. GitHub's "Configuring OpenID Connect in Amazon Web Services" and "OpenID
 * Connect reference" (subject claims): a job that names a GitHub environment gets
 * `repo:<owner>@<id>/<repo>@<id>:environment:<name>` (so only jobs past that environment's protection rules carry it), a
 * pull-request job without one `repo:<owner>@<id>/<repo>@<id>:pull_request`, any other job on a branch or tag
 * `repo:<owner>@<id>/<repo>@<id>:ref:refs/heads/<branch>` or `…:ref:refs/tags/<tag>`.
 * The audience is `sts.amazonaws.com`, the default of aws-actions/configure-aws-credentials. A repository or
 * organisation that customised its subject template must change these subjects with it.
 */
import type { OperatorAccess } from "./config";
import type { EnvironmentAccount } from "./environments";
import { accountRoot, ConditionBlock, policyDocument, PolicyDocument, principalArnIs, Statement } from "./policy-document";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export function oidcProviderArn(account: EnvironmentAccount): string {
  return `arn:${account.partition}:iam::${account.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

function deploySubject(repository: string, stack: string): string {
  return `repo:${repository}:environment:${stack}`;
}

/**
 * The jobs that preview, as the workflows run them (.github/workflows): a pull request's preview, and the plan of a
 * release of a tag, in the GitHub environment `preview-<stack>`, whose required reviewers approve running that code
 * with read access to the stack's secrets; the plan before the gate and the nightly drift check, jobs on `main`
 * (protected: only reviewed merges) without an environment. No tag subject: anyone who may push a tag could
 * otherwise run any workflow of that tag's commit as this role, outside every environment and its reviewers. Not
 * `pull_request` either: it would let any pull request's job decrypt the stack's secrets without that approval.
 */
function previewSubjects(repository: string, stack: string): string[] {
  return [`repo:${repository}:environment:preview-${stack}`, `repo:${repository}:ref:refs/heads/main`];
}

const AUDIENCE = { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE };

function githubJobs(providerArn: string, condition: ConditionBlock): Statement {
  return {
    Sid: "GitHubActionsJobs",
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: condition,
  };
}

export function deployRoleTrust(
  account: EnvironmentAccount,
  repository: string,
  providerArn: string,
  operatorAccess?: OperatorAccess,
): PolicyDocument {
  // The program assumes no role (components/aws-account): the job's credentials are the role's, so the role
  // trusts no one but those jobs, and an operator while the window below is open.
  // StringEquals: no wildcard can admit another environment.
  const statements = [
    githubJobs(providerArn, { StringEquals: { ...AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: deploySubject(repository, account.stack) } }),
  ];
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

export function previewRoleTrust(account: EnvironmentAccount, repository: string, providerArn: string): PolicyDocument {
  // StringEquals: no subject holds a wildcard, so none can admit a ref or environment it does not name.
  return policyDocument([
    githubJobs(providerArn, {
      StringEquals: { ...AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: previewSubjects(repository, account.stack) },
    }),
  ]);
}
