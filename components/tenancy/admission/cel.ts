/**
 * What the admission policies of team namespaces share: their shape, what they know of the environment, and the
 * CEL they have in common. ValidatingAdmissionPolicy expressions (admissionregistration.k8s.io/v1) see `object`
 * untyped, `namespaceObject` typed, the strings, sets and optional-types libraries (Kubernetes 1.29 and later:
 * k8s.io/apiserver pkg/cel/environment/base.go) and, in `expression` only, the request's `authorizer`.
 */
import { TEAM_LABEL } from "../../../lib/naming";
import { PUBLIC_INGRESS_LABEL } from "../../../lib/ingress-classes";

/** What the policies are built from: the environment's names, its nodes' taints and its certificate issuers. */
export interface AdmissionContext {
  readonly environment: string;
  readonly domain: string;
  /** Taint keys that keep team pods off the platform's nodes: no team pod may tolerate them. */
  readonly platformTaintKeys: readonly string[];
  /** The ClusterIssuers a team's Certificate may name. */
  readonly teamIssuers: readonly string[];
  /** Where the AWS Load Balancer Controller builds load balancers: the class every LoadBalancer Service must name. */
  readonly loadBalancerClass?: string;
}

export interface ResourceRule {
  readonly apiGroups: string[];
  readonly apiVersions: string[];
  readonly resources: string[];
  readonly operations: string[];
}

export interface Validation {
  readonly expression: string;
  /** Shown when `messageExpression` is absent or fails. */
  readonly message: string;
  readonly messageExpression?: string;
}

/** One ValidatingAdmissionPolicy, bound to every team namespace (TenancyGuardrails). */
export interface TeamAdmissionPolicy {
  readonly name: string;
  readonly resourceRules: ResourceRule[];
  readonly matchConditions?: { name: string; expression: string }[];
  readonly variables?: { name: string; expression: string }[];
  readonly validations: Validation[];
}

/** A CEL string literal (CEL's escapes are a superset of JSON's). */
export const literal = (value: string): string => JSON.stringify(value);

export const listOf = (values: readonly string[]): string => `[${values.map(literal).join(", ")}]`;

/**
 * `team`: the namespace's team (its TEAM_LABEL); `teamDomain`: Naming.teamDomain of that team, `<team>.<env>.<domain>`;
 * `annotations`: the object's, or none.
 */
export function teamVariables(context: AdmissionContext): { name: string; expression: string }[] {
  return [
    { name: "team", expression: `namespaceObject.metadata.labels[?${literal(TEAM_LABEL)}].orValue("")` },
    { name: "teamDomain", expression: `variables.team + ${literal(`.${context.environment}.${context.domain}`)}` },
    { name: "annotations", expression: "object.metadata.?annotations.orValue({})" },
  ];
}

/** Whether the namespace carries the team's public-ingress grant (teams[].publicIngress). */
export const PUBLIC_INGRESS_GRANTED = `namespaceObject.metadata.labels[?${literal(PUBLIC_INGRESS_LABEL)}].orValue("") == "true"`;

/** Whether the DNS name `name` (a CEL string) is the team's: its domain or a name under it, a trailing dot allowed. */
export function inTeamDomain(name: string): string {
  return (
    `(${name} == variables.teamDomain || ${name} == variables.teamDomain + "." || ` +
    `${name}.endsWith("." + variables.teamDomain) || ${name}.endsWith("." + variables.teamDomain + "."))`
  );
}

/**
 * The names an external-dns hostname annotation lists, as external-dns reads them: split at commas once every space
 * is removed (v0.21.0 source/annotations/processors.go SplitHostnameAnnotation); DNS ignores case.
 */
export const annotatedHostnames = (annotation: string): string =>
  `(${literal(annotation)} in variables.annotations ? ` +
  `variables.annotations[${literal(annotation)}].trim().replace(" ", "").lowerAscii().split(",") : [])`;

/** The annotations external-dns reads names from (kubernetes-sigs/external-dns v0.21.0 source/annotations/annotations.go). */
export const EXTERNAL_DNS_HOSTNAME_ANNOTATIONS = [
  "external-dns.alpha.kubernetes.io/hostname",
  "external-dns.alpha.kubernetes.io/internal-hostname",
];

/** A variable listing the names the external-dns annotations give outside the team's domain. */
export const foreignAnnotatedHostnames = {
  name: "foreignAnnotatedHostnames",
  expression: EXTERNAL_DNS_HOSTNAME_ANNOTATIONS.map(
    (annotation) => `${annotatedHostnames(annotation)}.filter(h, !${inTeamDomain("h")})`,
  ).join(" + "),
};

/** The refusal for it; `kind` is the object's kind as people say it. */
export const annotatedHostnamesAreTheTeams: Validation = {
  expression: "variables.foreignAnnotatedHostnames.size() == 0",
  message:
    "external-dns hostname annotations in team namespaces may only name the team's own DNS names: <team>.<environment>.<domain> or a name under it",
  messageExpression:
    `"external-dns hostname annotation names " + variables.foreignAnnotatedHostnames.join(", ") + ", outside team " + variables.team + ` +
    `"'s names: use " + variables.teamDomain + " or a name under it"`,
};
