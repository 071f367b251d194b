/**
 * No identity gets administrator rights, and no role trusts more than it names. In a permissions policy: no
 * statement allows every action on every resource, everything but a list (`NotAction`), or every IAM action
 * (`iam:*`, with which an identity grants itself the rest). In a role's trust policy: no `*` principal, no web
 * identity or SAML provider without conditions on the token's audience (and, for OIDC, its subject: otherwise every
 * token the provider issues, any repository's or service account's, assumes the role), and no other account's root
 * without a condition (it delegates to every principal that account allows). AWS IAM User Guide, "IAM JSON policy
 * elements: Principal", "NotAction", and "Available keys for AWS web identity federation".
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray } from "../common";
import { described } from "../catalogue";

/** Resources whose `policy` input is a permissions document (trust policies are not: they grant nothing). */
const POLICY_DOCUMENTS = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];
const ATTACHMENTS = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];
const ROLE = "aws:iam/role:Role";

type Principal = "*" | { AWS?: string | string[]; Federated?: string | string[]; Service?: string | string[] };

interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: Principal;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A document is a JSON string or, when the program passed an object, the object itself. */
function statementsOf(document: unknown): Statement[] {
  if (typeof document === "string") {
    try {
      return statementsOf(JSON.parse(document));
    } catch {
      return []; // Not JSON: AWS rejects it before it grants anything.
    }
  }
  return asArray((document as { Statement?: Statement | Statement[] } | undefined)?.Statement);
}

const sid = (s: Statement) => s.Sid ?? "(no Sid)";
const allows = (s: Statement) => s.Effect === "Allow";

/** What is wrong with a permissions statement, if anything. */
function grantProblems(s: Statement): string[] {
  if (!allows(s)) return [];
  const actions = asArray(s.Action).map((a) => a.toLowerCase());
  const problems: string[] = [];
  if (actions.some((a) => a === "*" || a === "*:*") && asArray(s.Resource).includes("*")) {
    problems.push(`Statement ${sid(s)} allows every action on every resource; name the actions and resources it needs.`);
  }
  if (s.NotAction !== undefined) {
    problems.push(
      `Statement ${sid(s)} allows everything but its NotAction list (a new service's actions included); name the actions it allows.`,
    );
  }
  if (actions.includes("iam:*")) {
    problems.push(`Statement ${sid(s)} allows iam:*, with which an identity grants itself anything; name the IAM actions it needs.`);
  }
  return problems;
}

/** AWS's managed policy granting `*` on `*`. */
const isAdministratorAccess = (arn: unknown): boolean => typeof arn === "string" && arn.endsWith(":policy/AdministratorAccess");

export const iamNoWildcardAdmin: ResourceValidationPolicy = {
  ...described("aws-iam-no-wildcard-admin"),
  validateResource: (args, reportViolation) => {
    const documents = POLICY_DOCUMENTS.includes(args.type)
      ? [args.props.policy]
      : args.type === ROLE
        ? asArray<{ policy?: unknown }>(args.props.inlinePolicies).map((p) => p.policy)
        : [];
    for (const problem of documents.flatMap(statementsOf).flatMap(grantProblems)) reportViolation(problem);
    const attached = ATTACHMENTS.includes(args.type)
      ? [args.props.policyArn]
      : args.type === ROLE
        ? asArray(args.props.managedPolicyArns)
        : [];
    if (attached.some(isAdministratorAccess))
      reportViolation("AdministratorAccess is attached; grant a policy scoped to what this identity does.");
  },
};

/** Condition keys a statement tests, lower-cased, under any operator. */
const conditionKeys = (s: Statement): string[] =>
  Object.values(s.Condition ?? {}).flatMap((block) => Object.keys(block ?? {}).map((key) => key.toLowerCase()));

const ROOT = /^(?:arn:[^:]+:iam::(\d{12}):root|(\d{12}))$/;

/** The accounts the role is created in: its provider's `allowedAccountIds` (components/aws-account), when known. */
function ownAccounts(provider: { props?: Record<string, any> } | undefined): string[] {
  const allowed = provider?.props?.allowedAccountIds;
  if (Array.isArray(allowed)) return allowed.map(String);
  if (typeof allowed === "string") {
    try {
      return asArray<string>(JSON.parse(allowed)).map(String);
    } catch {
      return [allowed];
    }
  }
  return [];
}

/** What is wrong with a trust statement, if anything. */
function trustProblems(s: Statement, own: string[]): string[] {
  if (!allows(s) || s.Principal === undefined) return [];
  const principal = s.Principal;
  if (principal === "*" || asArray(principal.AWS).includes("*")) {
    return [`Trust statement ${sid(s)} lets any principal of any account assume the role (Principal *); name the principals.`];
  }
  const keys = conditionKeys(s);
  const problems: string[] = [];
  for (const federated of asArray(principal.Federated)) {
    const oidc = federated.includes(":oidc-provider/");
    const missing = [
      ...(keys.some((k) => k.endsWith(":aud")) ? [] : ["audience (:aud)"]),
      ...(oidc && !keys.some((k) => k.endsWith(":sub")) ? ["subject (:sub)"] : []),
    ];
    if (missing.length > 0) {
      problems.push(
        `Trust statement ${sid(s)} trusts ${federated} without a condition on the token's ${missing.join(" and ")}: every token it issues would assume the role.`,
      );
    }
  }
  for (const aws of asArray(principal.AWS)) {
    const account = ROOT.exec(aws)
      ?.slice(1)
      .find((a) => a !== undefined);
    if (account === undefined || own.includes(account) || keys.length > 0) continue;
    problems.push(
      `Trust statement ${sid(s)} trusts account ${account}'s root without a condition: every principal that account allows could assume the role; ` +
        "name the role, or add a condition (aws:PrincipalArn, sts:ExternalId).",
    );
  }
  return problems;
}

export const iamTrustPolicies: ResourceValidationPolicy = {
  ...described("aws-iam-trust-policies"),
  validateResource: (args, reportViolation) => {
    if (args.type !== ROLE) return;
    const own = ownAccounts(args.provider);
    for (const problem of statementsOf(args.props.assumeRolePolicy).flatMap((s) => trustProblems(s, own))) reportViolation(problem);
  },
};
