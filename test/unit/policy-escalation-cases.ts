/**
 * Cases of the escalation, Secret-reading and IAM policies for the case table of test/unit/policy.test.ts: roles
 * as good as cluster-admin without a literal `*` (bind, escalate, impersonate, `*` on RBAC objects; Roles as well as
 * ClusterRoles; the built-in admin and edit), Secrets read through built-in roles, IAM statements that grant
 * everything but a list or every IAM action, and trust policies that name nobody in particular.
 */
import { CLUSTER_ROLES } from "../../components/tenancy/roles";
import type { ResourceSnapshot } from "../../policy/evaluate";
import { Case, FailingCase, nextId, resource } from "../policy-cases";

const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
const rules = (type: "ClusterRole" | "Role", name: string, roleRules: unknown, namespace?: string) =>
  resource(`${RBAC}:${type}`, { metadata: { name, namespace }, rules: roleRules });
const bound = (
  type: "ClusterRoleBinding" | "RoleBinding",
  roleRef: { kind: "ClusterRole" | "Role"; name: string },
  subjects: { kind: string; name: string; namespace?: string }[],
  namespace?: string,
) =>
  resource(`${RBAC}:${type}`, {
    metadata: { name: `${roleRef.name}-${nextId()}`, namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
    subjects,
  });
const clusterRole = (name: string) => ({ kind: "ClusterRole" as const, name });
const sa = (namespace: string, name: string) => ({ kind: "ServiceAccount", name, namespace });
const group = (name: string) => ({ kind: "Group", name });
const teamNamespace = (name: string) =>
  resource("kubernetes:core/v1:Namespace", { metadata: { name, labels: { "platform.example.io/team": name } } });

/** components/backups/rbac.ts's rules, whose restores need bind and escalate. */
const VELERO_RULES = [
  { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch", "create", "update", "patch"] },
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "roles"], verbs: ["bind", "escalate"] },
];
const velero = (subject = sa("velero", "velero")) => [
  rules("ClusterRole", "velero-backup-restore", VELERO_RULES),
  bound("ClusterRoleBinding", clusterRole("velero-backup-restore"), [subject]),
];
const SECRET_READER = [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }];

// IAM.
const document = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
const OIDC_PROVIDER = `arn:aws:iam::111111111111:oidc-provider/${ISSUER}`;
const webIdentity = (condition?: Record<string, unknown>) => ({
  Sid: "Irsa",
  Effect: "Allow",
  Principal: { Federated: OIDC_PROVIDER },
  Action: "sts:AssumeRoleWithWebIdentity",
  ...(condition ? { Condition: condition } : {}),
});
const IRSA_CONDITION = {
  StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:velero:velero", [`${ISSUER}:aud`]: "sts.amazonaws.com" },
};
/** A role created through a provider for account 111111111111 (components/aws-account: allowedAccountIds). */
const role = (trust: Record<string, unknown>, accounts: string[] | null = ["111111111111"]): ResourceSnapshot[] => {
  const provider = resource("pulumi:providers:aws", { region: "eu-west-1", ...(accounts ? { allowedAccountIds: accounts } : {}) });
  return [provider, resource("aws:iam/role:Role", { assumeRolePolicy: document(trust) }, { provider: provider.urn })];
};
const rootOf = (account: string, condition?: Record<string, unknown>) => ({
  Sid: "Account",
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${account}:root` },
  Action: "sts:AssumeRole",
  ...(condition ? { Condition: condition } : {}),
});
const identityPolicy = (statement: Record<string, unknown>) =>
  resource("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: document(statement) });

export const ESCALATION_CASES: Record<string, { pass: Case[]; fail: FailingCase[] }> = {
  "k8s-cluster-admin-only-infra": {
    pass: [
      { name: "Velero's restore role for Velero's service account, named with its reason", resources: () => velero() },
      {
        name: "the Tigera operator's role for its service account",
        resources: () => [
          rules("ClusterRole", "tigera-operator", [
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind", "escalate"] },
          ]),
          bound("ClusterRoleBinding", clusterRole("tigera-operator"), [sa("tigera-operator", "tigera-operator")]),
        ],
      },
      {
        name: "a Role that creates RoleBindings without bind (RBAC's escalation check still applies)",
        resources: () => [
          rules(
            "Role",
            "binder",
            [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create", "delete"] }],
            "alpha",
          ),
          bound("RoleBinding", { kind: "Role", name: "binder" }, [group("oidc:team-alpha-leads")], "alpha"),
        ],
      },
      {
        name: "the platform's team roles bound in a team namespace",
        resources: () => [
          rules("ClusterRole", "namespace-admin", CLUSTER_ROLES["namespace-admin"]),
          bound("RoleBinding", clusterRole("namespace-admin"), [group("oidc:team-alpha-leads")], "alpha"),
        ],
      },
    ],
    fail: [
      {
        name: "Velero's restore role for another service account (bind and escalate, no literal *)",
        resources: () => velero(sa("monitoring", "grafana")),
        expected:
          /ClusterRoleBinding "velero-backup-restore-\d+" grants ClusterRole velero-backup-restore \(full control: bind and escalate on roles\) to ServiceAccount monitoring\/grafana/,
      },
      {
        name: "an allowed holder whose reason is empty",
        resources: () => velero(),
        config: { allowedHolders: [{ role: "ClusterRole velero-backup-restore", subject: "ServiceAccount velero/velero", reason: " " }] },
        expected: /to ServiceAccount velero\/velero; only oidc:platform-infra may hold it/,
      },
      {
        name: "impersonation of users and groups",
        resources: () => [
          rules("ClusterRole", "sudo", [{ apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] }]),
          bound("ClusterRoleBinding", clusterRole("sudo"), [group("oidc:team-alpha")]),
        ],
        expected: /grants ClusterRole sudo \(full control: impersonate on users, groups\) to Group oidc:team-alpha/,
      },
      {
        name: "a namespaced Role with * on RoleBindings, for a user",
        resources: () => [
          rules("Role", "rbac-admin", [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["*"] }], "alpha"),
          bound("RoleBinding", { kind: "Role", name: "rbac-admin" }, [{ kind: "User", name: "alice@example.com" }], "alpha"),
        ],
        expected:
          /RoleBinding "rbac-admin-\d+" grants Role alpha\/rbac-admin \(full control: \* on rolebindings\) to User alice@example\.com/,
      },
      {
        name: "a namespaced Role with * on * for a service account it does not name",
        resources: () => [
          rules("Role", "velero-server", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "backups"),
          bound("RoleBinding", { kind: "Role", name: "velero-server" }, [sa("backups", "velero")], "backups"),
        ],
        expected: /grants Role backups\/velero-server \(full control: every verb on every resource\) to ServiceAccount backups\/velero/,
      },
      {
        name: "the built-in edit role, which impersonates service accounts, for a team",
        resources: () => [bound("RoleBinding", clusterRole("edit"), [group("oidc:team-alpha")], "alpha")],
        expected: /grants ClusterRole edit \(full control: impersonate on serviceaccounts\) to Group oidc:team-alpha/,
      },
    ],
  },
  "k8s-no-cluster-wide-secret-reads": {
    pass: [
      {
        name: "a team's developers reading their own namespace's Secrets",
        resources: () => [
          teamNamespace("alpha"),
          rules("ClusterRole", "developer", CLUSTER_ROLES.developer),
          bound("RoleBinding", clusterRole("developer"), [group("oidc:team-alpha")], "alpha"),
        ],
      },
      {
        name: "the built-in view role cluster-wide",
        resources: () => [bound("ClusterRoleBinding", clusterRole("view"), [group("oidc:support")])],
      },
    ],
    fail: [
      {
        name: "the built-in admin role cluster-wide",
        resources: () => [bound("ClusterRoleBinding", clusterRole("admin"), [group("oidc:team-alpha")])],
        expected: /lets Group "oidc:team-alpha" read every Secret of the cluster \(ClusterRole admin\)/,
      },
      {
        name: "the built-in edit role in a platform namespace",
        resources: () => [
          teamNamespace("alpha"),
          bound("RoleBinding", clusterRole("edit"), [{ kind: "User", name: "bob@example.com" }], "monitoring"),
        ],
        expected: /lets User "bob@example\.com" read the Secrets of namespace monitoring, which is no team's \(ClusterRole edit\)/,
      },
      {
        name: "a Role reading Secrets in the logging namespace, for a group",
        resources: () => [
          rules("Role", "peek", SECRET_READER, "logging"),
          bound("RoleBinding", { kind: "Role", name: "peek" }, [group("oidc:team-alpha")], "logging"),
        ],
        expected: /read the Secrets of namespace logging, which is no team's \(Role logging\/peek\)/,
      },
    ],
  },
  "aws-iam-no-wildcard-admin": {
    pass: [
      {
        name: "Deny with NotAction (a restriction, not a grant)",
        resources: () => [identityPolicy({ Effect: "Deny", NotAction: ["iam:Get*"], Resource: "arn:aws:iam::111111111111:role/deploy" })],
      },
      {
        name: "named IAM actions",
        resources: () => [identityPolicy({ Effect: "Allow", Action: ["iam:GetRole", "iam:PassRole"], Resource: "*" })],
      },
    ],
    fail: [
      {
        name: "Allow with NotAction",
        resources: () => [identityPolicy({ Sid: "AllButIam", Effect: "Allow", NotAction: "iam:*", Resource: "*" })],
        expected: /Statement AllButIam allows everything but its NotAction list/,
      },
      {
        name: "iam:*",
        resources: () => [identityPolicy({ Sid: "Iam", Effect: "Allow", Action: ["s3:GetObject", "IAM:*"], Resource: "*" })],
        expected: /Statement Iam allows iam:\*, with which an identity grants itself anything/,
      },
    ],
  },
  "aws-iam-trust-policies": {
    pass: [
      { name: "IRSA: the cluster's issuer, one service account, STS as audience", resources: () => role(webIdentity(IRSA_CONDITION)) },
      {
        name: "an AWS service",
        resources: () => role({ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }),
      },
      { name: "the role's own account", resources: () => role(rootOf("111111111111")) },
      {
        name: "another account, with a condition",
        resources: () => role(rootOf("222222222222", { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::222222222222:role/ci" } })),
      },
    ],
    fail: [
      {
        name: "Principal *",
        resources: () => role({ Sid: "Anyone", Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }),
        expected: /Trust statement Anyone lets any principal of any account assume the role/,
      },
      {
        name: "AWS *, even with a condition",
        resources: () =>
          role({
            Sid: "Org",
            Effect: "Allow",
            Principal: { AWS: ["*"] },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } },
          }),
        expected: /Trust statement Org lets any principal/,
      },
      {
        name: "an OIDC provider with an audience but no subject",
        resources: () => role(webIdentity({ StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" } })),
        expected: new RegExp(
          `Trust statement Irsa trusts ${OIDC_PROVIDER.replace(/[.]/g, "\\.")} without a condition on the token's subject \\(:sub\\)`,
        ),
      },
      {
        name: "an OIDC provider without any condition",
        resources: () => role(webIdentity()),
        expected: /without a condition on the token's audience \(:aud\) and subject \(:sub\)/,
      },
      {
        name: "a SAML provider without an audience",
        resources: () =>
          role({
            Sid: "Saml",
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::111111111111:saml-provider/ad" },
            Action: "sts:AssumeRoleWithSAML",
          }),
        expected: /Trust statement Saml trusts arn:aws:iam::111111111111:saml-provider\/ad without a condition on the token's audience/,
      },
      {
        name: "another account's root without a condition",
        resources: () => role(rootOf("222222222222")),
        expected: /Trust statement Account trusts account 222222222222's root without a condition/,
      },
      {
        name: "a root, when the role's own account is not known",
        resources: () => role({ ...rootOf("111111111111"), Principal: { AWS: "111111111111" } }, null),
        expected: /trusts account 111111111111's root without a condition/,
      },
    ],
  },
};
