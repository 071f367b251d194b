/**
 * Full control of the cluster belongs to the infra team (and the role that deploys it) and nobody else, and so do
 * every Secret's contents. "Full control" is more than a `*` on `*`: RBAC lets whoever holds `bind` or `escalate`
 * on roles grant any permission, whoever may `impersonate` act as anyone, and a `*` on RBAC objects includes both
 * (Kubernetes docs, "Using RBAC Authorization: Privilege escalation prevention and bootstrapping" and
 * "User impersonation"). The built-in roles count as what they grant: cluster-admin everything, `edit` (and
 * `admin`, which aggregates it) impersonation of service accounts and, with `admin`, Secrets.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf, matchesGlob, ofTypes, stringList } from "../common";
import { K8S, nameOf, TEAM_LABEL } from "./objects";
import { described } from "../catalogue";

interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly resourceNames?: string[];
  readonly verbs?: string[];
}

interface Subject {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC_RESOURCES = ["roles", "clusterroles", "rolebindings", "clusterrolebindings"];
/** What `impersonate` applies to (Kubernetes docs, "User impersonation"). */
const IDENTITIES: [group: string, resources: string[]][] = [
  ["", ["users", "groups", "serviceaccounts"]],
  ["authentication.k8s.io", ["userextras", "uids"]],
];

const covers = (list: string[] | undefined, value: string): boolean => (list ?? []).some((v) => v === value || v === "*");
const grantsVerb = (rule: PolicyRule, verb: string): boolean => covers(rule.verbs, verb);
const grantsEverything = (rule: PolicyRule): boolean =>
  [rule.apiGroups, rule.resources, rule.verbs].every((list) => list?.includes("*") === true);

/** Why a rule is as good as cluster-admin, or undefined. */
export function escalationOf(rule: PolicyRule): string | undefined {
  if (grantsEverything(rule)) return "every verb on every resource";
  const reasons: string[] = [];
  if (covers(rule.apiGroups, RBAC_GROUP)) {
    const rbac = RBAC_RESOURCES.filter((resource) => covers(rule.resources, resource));
    const grants = ["bind", "escalate"].filter((verb) => grantsVerb(rule, verb));
    if (rule.verbs?.includes("*") && rbac.length > 0) reasons.push(`* on ${rbac.join(", ")}`);
    else if (grants.length > 0 && (covers(rule.resources, "roles") || covers(rule.resources, "clusterroles")))
      reasons.push(`${grants.join(" and ")} on roles`);
  }
  if (grantsVerb(rule, "impersonate")) {
    const identities = IDENTITIES.filter(([group]) => covers(rule.apiGroups, group)).flatMap(([, resources]) =>
      resources.filter((resource) => covers(rule.resources, resource)),
    );
    if (identities.length > 0) reasons.push(`impersonate on ${identities.join(", ")}`);
  }
  return reasons.length > 0 ? reasons.join("; ") : undefined;
}

/** The built-in ClusterRoles (Kubernetes' bootstrap policy) and what makes them full control, or a reader of Secrets. */
const BUILT_IN_ESCALATION: Record<string, string> = {
  "cluster-admin": "every verb on every resource",
  admin: "impersonate on serviceaccounts",
  edit: "impersonate on serviceaccounts",
};
const BUILT_IN_SECRET_READERS = ["cluster-admin", "admin", "edit"];

/** `ClusterRole <name>` or `Role <namespace>/<name>`: how roles are named in messages and in config. */
const roleKey = (kind: string, name: string, namespace?: string): string =>
  kind === "Role" ? `Role ${namespace ?? "default"}/${name}` : `ClusterRole ${name}`;
const subjectKey = (s: Subject, bindingNamespace?: string): string =>
  s.kind === "ServiceAccount" ? `ServiceAccount ${s.namespace ?? bindingNamespace ?? "default"}/${s.name}` : `${s.kind} ${s.name}`;

/** Roles of the stack, keyed by roleKey, that `holds` says something about, with what it says. */
function rolesWith(resources: readonly PolicyResource[], holds: (rules: PolicyRule[]) => string | undefined): Map<string, string> {
  const found = new Map<string, string>();
  for (const role of ofTypes(resources, K8S.clusterRole, K8S.role)) {
    const name = nameOf(role.props);
    const reason = holds((role.props.rules ?? []) as PolicyRule[]);
    if (name === undefined || reason === undefined) continue;
    found.set(roleKey(role.type === K8S.role ? "Role" : "ClusterRole", name, role.props.metadata?.namespace), reason);
  }
  return found;
}

/** Each binding's role (as roleKey) and subjects. */
function bindings(resources: readonly PolicyResource[]) {
  return ofTypes(resources, K8S.clusterRoleBinding, K8S.roleBinding).map((binding) => {
    const namespace: string | undefined = binding.type === K8S.roleBinding ? (binding.props.metadata?.namespace ?? "default") : undefined;
    const roleRef = binding.props.roleRef ?? {};
    return {
      binding,
      kind: binding.type.split(":")[2],
      name: nameOf(binding.props),
      namespace,
      role: roleKey(roleRef.kind, roleRef.name, namespace),
      roleName: roleRef.name as string,
      subjects: (binding.props.subjects ?? []) as Subject[],
    };
  });
}

const EKS_ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const EKS_CLUSTER_ADMIN_POLICY = /:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/;

export interface AllowedHolder {
  /** roleKey: `ClusterRole <name>` or `Role <namespace>/<name>`. */
  readonly role: string;
  /** `ServiceAccount <namespace>/<name>`, `Group <name>` or `User <name>`. */
  readonly subject: string;
  /** Why this holder needs full control: shown nowhere, required so that every exception is argued where it is made. */
  readonly reason: string;
}

const clusterAdminDefaults = {
  adminGroups: ["oidc:platform-infra"],
  // The infra team's roles (cluster.adminRoleArns) and the role Pulumi deploys with (aws.deployRoleArn), in any account.
  adminPrincipals: ["arn:*:iam::*:role/infra-admin", "arn:*:iam::*:role/platform-deployer"],
  allowedHolders: [
    {
      role: "ClusterRole velero-backup-restore",
      subject: "ServiceAccount velero/velero",
      reason:
        "a restore recreates RBAC objects granting what Velero does not hold itself, which RBAC allows only with bind and escalate (components/backups/rbac.ts)",
    },
    {
      role: "Role velero/velero-server",
      subject: "ServiceAccount velero/velero",
      reason: "the Velero chart's role over its own namespace (templates/role.yaml: * on *), where it runs alone",
    },
    {
      role: "ClusterRole tigera-operator",
      subject: "ServiceAccount tigera-operator/tigera-operator",
      reason:
        "the Tigera operator creates Calico's ClusterRoles and bindings for its components, which RBAC allows only with bind and escalate (chart templates/tigera-operator/02-role-tigera-operator.yaml)",
    },
  ] as AllowedHolder[],
};

/** The infra groups, as both RBAC policies take them from the pack's config. */
const adminGroupsSetting = (description: string) => stringList(clusterAdminDefaults.adminGroups, { description });

export const clusterAdminOnlyForInfra: StackValidationPolicy = {
  ...described("k8s-cluster-admin-only-infra"),
  configSchema: {
    properties: {
      adminGroups: adminGroupsSetting(
        "Group subjects as the API server sees them, OIDC prefix included (identity.oidc.groupsPrefix + identity.infraGroup)",
      ),
      adminPrincipals: stringList(clusterAdminDefaults.adminPrincipals, {
        description: "IAM role ARNs that may hold AmazonEKSClusterAdminPolicy; `*` matches one ARN field",
      }),
      allowedHolders: {
        type: "array",
        items: {
          type: "object",
          properties: { role: { type: "string" }, subject: { type: "string" }, reason: { type: "string", minLength: 10 } },
          required: ["role", "subject", "reason"],
        },
        default: clusterAdminDefaults.allowedHolders,
        description:
          "Controllers that need such a role, each with the reason (`ClusterRole <name>` or `Role <ns>/<name>`; `ServiceAccount <ns>/<name>`)",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { adminGroups, adminPrincipals, allowedHolders } = configOf(args, clusterAdminDefaults);
    const escalating = new Map([
      ...Object.entries(BUILT_IN_ESCALATION).map(([name, reason]) => [roleKey("ClusterRole", name), reason] as const),
      ...rolesWith(args.resources, (rules) => rules.map(escalationOf).find((reason) => reason !== undefined)),
    ]);
    const allowed = (role: string, subject: string) =>
      allowedHolders.some((holder) => holder.role === role && holder.subject === subject && holder.reason?.trim().length > 0);
    for (const b of bindings(args.resources)) {
      const reason = escalating.get(b.role);
      if (reason === undefined) continue;
      for (const subject of b.subjects) {
        const key = subjectKey(subject, b.namespace);
        if (subject.kind === "Group" && adminGroups.includes(subject.name ?? "")) continue;
        if (allowed(b.role, key)) continue;
        reportViolation(
          `${b.kind} "${b.name}" grants ${b.role} (full control: ${reason}) to ${key}; only ${adminGroups.join(", ")} may hold it, ` +
            `or a controller named in this policy's allowedHolders with its reason.`,
          b.binding.urn,
        );
      }
    }
    // On EKS an access policy association is a binding too: the IAM role becomes cluster-admin.
    for (const association of ofTypes(args.resources, EKS_ACCESS_POLICY_ASSOCIATION)) {
      const principal: string = association.props.principalArn ?? "";
      if (!EKS_CLUSTER_ADMIN_POLICY.test(association.props.policyArn ?? "")) continue;
      if (adminPrincipals.some((pattern) => matchesGlob(principal, pattern))) continue;
      reportViolation(
        `AccessPolicyAssociation ${association.name} makes ${principal} cluster-admin; only ${adminPrincipals.join(", ")} may be.`,
        association.urn,
      );
    }
  },
};

const READS_SECRETS = ["get", "list", "watch"];

/**
 * Whether a rule lets its holder read Secrets (core group or any group; `secrets` or any resource), any of them: a
 * rule naming its Secrets (`resourceNames`) grants those alone, each chosen where the role is written.
 */
const readsSecrets = (rule: PolicyRule): boolean =>
  covers(rule.apiGroups, "") &&
  covers(rule.resources, "secrets") &&
  READS_SECRETS.some((verb) => grantsVerb(rule, verb)) &&
  (rule.resourceNames ?? []).length === 0;

export const noClusterWideSecretReads: StackValidationPolicy = {
  ...described("k8s-no-cluster-wide-secret-reads"),
  configSchema: {
    properties: {
      adminGroups: adminGroupsSetting("Group subjects (OIDC prefix included) that may read every Secret"),
    },
  },
  validateStack: (args, reportViolation) => {
    const { adminGroups } = configOf(args, { adminGroups: clusterAdminDefaults.adminGroups });
    const readers = new Map([
      ...BUILT_IN_SECRET_READERS.map((name) => [roleKey("ClusterRole", name), "a built-in role"] as const),
      ...rolesWith(args.resources, (rules) => (rules.some(readsSecrets) ? "it reads secrets" : undefined)),
    ]);
    const teamNamespaces = new Set(
      ofTypes(args.resources, K8S.namespace)
        .filter((ns) => ns.props.metadata?.labels?.[TEAM_LABEL])
        .map((ns) => nameOf(ns.props)),
    );
    for (const b of bindings(args.resources)) {
      if (!readers.has(b.role) || (b.namespace !== undefined && teamNamespaces.has(b.namespace))) continue;
      const people = b.subjects.filter((s) => s.kind === "User" || s.kind === "Group");
      for (const subject of people.filter((s) => s.kind !== "Group" || !adminGroups.includes(s.name ?? ""))) {
        const where =
          b.namespace === undefined ? "every Secret of the cluster" : `the Secrets of namespace ${b.namespace}, which is no team's`;
        reportViolation(`${b.kind} "${b.name}" lets ${subject.kind} "${subject.name}" read ${where} (${b.role}).`, b.binding.urn);
      }
    }
  },
};
