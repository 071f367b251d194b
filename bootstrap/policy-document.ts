/** IAM policy documents as plain data, so that tests can evaluate exactly what is sent to AWS. */

export type Principal = "*" | { AWS?: string | string[]; Federated?: string };
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface Statement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Principal;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: Statement[];
}

export function policyDocument(statements: Statement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The account as a principal. Resource policies name accounts plus an `aws:PrincipalArn` condition rather than
 * role ARNs: S3 and KMS refuse a policy naming a role that does not exist yet, and the admin account's bucket and
 * keys are created before the spokes' roles. In the role's own account the grant is then delegated: the role's
 * IAM policy must allow the action too (IAM User Guide, "Policy evaluation logic" and "Cross-account policy
 * evaluation logic"; aws:PrincipalArn is the role's ARN for its sessions, "AWS global condition context keys").
 */
export function accountRoot(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

export function principalsOfAccounts(partition: string, accountIds: readonly string[]): Principal {
  const roots = [...new Set(accountIds)].map((id) => accountRoot(partition, id));
  return { AWS: roots.length === 1 ? roots[0] : roots };
}

/** `ArnEquals aws:PrincipalArn`: the statement applies to these roles' sessions only. */
export function principalArnIs(arns: readonly string[]): ConditionBlock {
  return { ArnEquals: { "aws:PrincipalArn": arns.length === 1 ? arns[0] : [...arns] } };
}

/** Parts of an IAM role ARN `arn:<partition>:iam::<account>:role/<path/><name>`: name and path as IAM takes them. */
export function roleNameAndPath(roleArn: string): { name: string; path: string } {
  const [, ...segments] = roleArn.split(":").slice(5).join(":").split("/");
  const name = segments.pop()!;
  return { name, path: segments.length > 0 ? `/${segments.join("/")}/` : "/" };
}
