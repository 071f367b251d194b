/**
 * A model of IAM policy evaluation, for the parts the bootstrap's policies use, so that tests can ask "may this
 * role do that" of the documents sent to AWS instead of comparing their text. From the IAM User Guide, "Policy
 * evaluation logic" and "Cross-account policy evaluation logic":
 * - an explicit Deny in any policy (identity, permissions boundary, resource) wins;
 * - a permissions boundary must allow the action as well;
 * - a resource policy that names an account (its root) delegates to that account's IAM policies: the caller's
 *   identity policy must allow too; a cross-account request always needs both;
 * - within the bucket's own account, the identity policy alone suffices for S3;
 * - a KMS key policy must always allow (IAM alone never grants use of a key);
 * - a web-identity caller is the identity provider (`Principal.Federated`), and the trust policy alone decides.
 * Condition operators modelled: StringEquals, StringLike, ArnEquals, ArnLike, ArnNotEquals, Bool, DateLessThan,
 * with AWS's rules for several values (any matches; for a negated operator, none) and absent keys (no match; a
 * negated operator matches).
 */
import type { PolicyDocument, Principal, Statement } from "../bootstrap/policy-document";

export interface Request {
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
  /** Request context keys such as aws:SecureTransport, kms:ViaService, aws:CurrentTime. */
  readonly context?: Record<string, string>;
}

export interface Policies {
  /** The caller's identity policies; undefined is none at all. */
  readonly identity?: PolicyDocument[];
  readonly boundary?: PolicyDocument;
  readonly resourcePolicy?: PolicyDocument;
  /** Account that owns the resource. */
  readonly resourceAccount: string;
  /** KMS: the key policy must allow whatever IAM says. */
  readonly resourcePolicyRequired?: boolean;
  /** AssumeRoleWithWebIdentity: the caller (`principalArn`, the identity provider) has no IAM policy; the trust policy alone decides. */
  readonly webIdentity?: boolean;
}

export type Decision = "allowed" | "explicitly denied" | "not allowed";

export function decide(request: Request, policies: Policies): Decision {
  const context = { "aws:PrincipalArn": request.principalArn, "aws:SecureTransport": "true", ...request.context };
  const req = { ...request, context };
  const identity = policies.identity ?? [];
  const all = [...identity, ...(policies.boundary ? [policies.boundary] : [])];
  if (all.some((doc) => matches(doc, "Deny", req)) || (policies.resourcePolicy && matches(policies.resourcePolicy, "Deny", req, true))) {
    return "explicitly denied";
  }
  const identityAllows = identity.some((doc) => matches(doc, "Allow", req));
  const boundaryAllows = !policies.boundary || matches(policies.boundary, "Allow", req);
  const resourceAllows = !!policies.resourcePolicy && matches(policies.resourcePolicy, "Allow", req, true);
  const sameAccount = accountOf(request.principalArn) === policies.resourceAccount;
  const granted = policies.webIdentity
    ? resourceAllows
    : policies.resourcePolicyRequired || !sameAccount
      ? resourceAllows && identityAllows
      : identityAllows;
  return granted && boundaryAllows ? "allowed" : "not allowed";
}

/** Identity policy that allows everything: AdministratorAccess. */
export const ALLOW_ALL: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }],
};

function matches(doc: PolicyDocument, effect: "Allow" | "Deny", req: Required<Request>, checkPrincipal = false): boolean {
  return doc.Statement.some(
    (s) =>
      s.Effect === effect &&
      (!checkPrincipal || principalMatches(s.Principal, req.principalArn)) &&
      actionMatches(s, req.action) &&
      resourceMatches(s, req.resource) &&
      conditionsHold(s, req.context),
  );
}

function principalMatches(principal: Principal | undefined, arn: string): boolean {
  if (principal === "*") return true;
  if (principal?.Federated !== undefined) return principal.Federated === arn;
  const listed = list(principal?.AWS);
  return listed.some((p) => p === arn || (p.endsWith(":root") && accountOf(p) === accountOf(arn)));
}

function actionMatches(s: Statement, action: string): boolean {
  if (s.Action !== undefined) return list(s.Action).some((p) => wildcard(p, action, true));
  return !list(s.NotAction).some((p) => wildcard(p, action, true));
}

function resourceMatches(s: Statement, resource: string): boolean {
  if (s.Resource !== undefined) return list(s.Resource).some((p) => wildcard(p, resource, false));
  if (s.NotResource !== undefined) return !list(s.NotResource).some((p) => wildcard(p, resource, false));
  return true; // A trust policy's statements have no resource.
}

function conditionsHold(s: Statement, context: Record<string, string>): boolean {
  return Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      const values = list(expected);
      switch (operator) {
        case "StringEquals":
        case "ArnEquals":
        case "Bool":
          return actual !== undefined && values.includes(actual);
        case "StringLike":
        case "ArnLike":
          return actual !== undefined && values.some((v) => wildcard(v, actual, false));
        case "ArnNotEquals":
          return actual === undefined || !values.includes(actual);
        case "DateLessThan":
          return actual !== undefined && values.some((v) => Date.parse(actual) < Date.parse(v));
        default:
          throw new Error(`the evaluator does not model the condition operator ${operator}`);
      }
    }),
  );
}

function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    ignoreCase ? "i" : "",
  );
  return regex.test(value);
}

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function accountOf(arn: string): string {
  return arn.split(":")[4];
}
