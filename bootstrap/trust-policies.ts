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

/**
 * The program's AWS provider assumes `platform:aws.deployRoleArn` (or the preview role) although the job already
 * runs as it: since 2023 a role trusts itself only when its trust policy says so (AWS Security Blog, "Announcing
 * an update to IAM role trust policy behavior"; IAM User Guide, "Update a role trust policy").
 */
function itself(account: EnvironmentAccount, roleArn: string): Statement {
  return { Sid: "ItselfForTheProgramsProvider", Effect: "Allow", Principal: { AWS: accountRoot(account.partition, account.accountId) }, Action: "sts:AssumeRole", Condition: principalArnIs([roleArn]) };
}

export function deployRoleTrust(account: EnvironmentAccount, repository: string, providerArn: string, operatorAccess?: OperatorAccess): PolicyDocument {
  const statements = [githubJobs(providerArn, [deploySubject(repository, account.stack)]), itself(account, account.deployRoleArn)];
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
  return policyDocument([githubJobs(providerArn, previewSubjects(repository)), itself(account, account.previewRoleArn)]);
}
