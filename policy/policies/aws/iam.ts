/** No identity gets administrator rights: no statement allows every action on every resource. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray } from "../common";

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

interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: string | string[];
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

const allowsEverything = (s: Statement): boolean =>
  s.Effect === "Allow" && asArray(s.Action).some((a) => a === "*" || a === "*:*") && asArray(s.Resource).includes("*");

/** AWS's managed policy granting `*` on `*`. */
const isAdministratorAccess = (arn: unknown): boolean => typeof arn === "string" && arn.endsWith(":policy/AdministratorAccess");

export const iamNoWildcardAdmin: ResourceValidationPolicy = {
  name: "aws-iam-no-wildcard-admin",
  description: 'No IAM statement allows Action "*" on Resource "*", and nothing attaches the AdministratorAccess managed policy.',
  severity: "critical",
  validateResource: (args, reportViolation) => {
    const documents = POLICY_DOCUMENTS.includes(args.type)
      ? [args.props.policy]
      : args.type === ROLE
        ? asArray<{ policy?: unknown }>(args.props.inlinePolicies).map((p) => p.policy)
        : [];
    for (const statement of documents.flatMap(statementsOf).filter(allowsEverything)) {
      reportViolation(
        `Statement ${statement.Sid ?? "(no Sid)"} allows every action on every resource; name the actions and resources it needs.`,
      );
    }
    const attached = ATTACHMENTS.includes(args.type)
      ? [args.props.policyArn]
      : args.type === ROLE
        ? asArray(args.props.managedPolicyArns)
        : [];
    if (attached.some(isAdministratorAccess))
      reportViolation("AdministratorAccess is attached; grant a policy scoped to what this identity does.");
  },
};
