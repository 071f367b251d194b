/** Full control of the cluster belongs to the infra team (and the role that deploys it) and nobody else. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { configOf, matchesGlob, ofTypes } from "../common";
import { K8S, nameOf } from "./objects";

interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs?: string[];
}

interface Subject {
  readonly kind?: string;
  readonly name?: string;
}

const grantsEverything = (rule: PolicyRule): boolean =>
  [rule.apiGroups, rule.resources, rule.verbs].every((list) => list?.includes("*") === true);

const EKS_ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const EKS_CLUSTER_ADMIN_POLICY = /:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/;

const clusterAdminDefaults = {
  adminGroups: ["oidc:platform-infra"],
  // The infra team's roles (cluster.adminRoleArns) and the role Pulumi deploys with (aws.deployRoleArn), in any account.
  adminPrincipals: ["arn:*:iam::*:role/infra-admin", "arn:*:iam::*:role/platform-deployer"],
};

export const clusterAdminOnlyForInfra: StackValidationPolicy = {
  name: "k8s-cluster-admin-only-infra",
  description:
    "cluster-admin, and any ClusterRole of this stack granting * verbs on * resources in * API groups, is bound only to the infra group; " +
    "EKS's AmazonEKSClusterAdminPolicy is associated only with the infra and deploy roles.",
  severity: "critical",
  configSchema: {
    properties: {
      adminGroups: {
        type: "array",
        items: { type: "string" },
        default: clusterAdminDefaults.adminGroups,
        description: "Group subjects as the API server sees them, OIDC prefix included (identity.oidc.groupsPrefix + identity.infraGroup)",
      },
      adminPrincipals: {
        type: "array",
        items: { type: "string" },
        default: clusterAdminDefaults.adminPrincipals,
        description: "IAM role ARNs that may hold AmazonEKSClusterAdminPolicy; `*` matches one ARN field",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { adminGroups, adminPrincipals } = configOf(args, clusterAdminDefaults);
    const adminRoles = new Set([
      "cluster-admin",
      ...ofTypes(args.resources, K8S.clusterRole)
        .filter((role) => ((role.props.rules ?? []) as PolicyRule[]).some(grantsEverything))
        .map((role) => nameOf(role.props))
        .filter((name): name is string => name !== undefined),
    ]);
    for (const binding of ofTypes(args.resources, K8S.clusterRoleBinding, K8S.roleBinding)) {
      const roleRef = binding.props.roleRef ?? {};
      if (roleRef.kind !== "ClusterRole" || !adminRoles.has(roleRef.name)) continue;
      const subjects: Subject[] = binding.props.subjects ?? [];
      for (const subject of subjects.filter((s) => s.kind !== "Group" || !adminGroups.includes(s.name ?? ""))) {
        reportViolation(
          `${binding.type.split(":")[2]} "${nameOf(binding.props)}" grants ${roleRef.name} (full control) to ${subject.kind} "${subject.name}"; only ${adminGroups.join(", ")} may hold it.`,
          binding.urn,
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

const READS_SECRETS = ["get", "list", "watch", "*"];

/** Whether a rule lets its holder read Secrets (core group or any group; `secrets` or any resource). */
const readsSecrets = (rule: PolicyRule): boolean =>
  (rule.apiGroups ?? []).some((g) => g === "" || g === "*") &&
  (rule.resources ?? []).some((r) => r === "secrets" || r === "*") &&
  (rule.verbs ?? []).some((v) => READS_SECRETS.includes(v));

export const noClusterWideSecretReads: StackValidationPolicy = {
  name: "k8s-no-cluster-wide-secret-reads",
  description:
    "A ClusterRole of this stack that reads Secrets (get, list or watch on secrets, or a wildcard) is bound cluster-wide (ClusterRoleBinding) to no person but the infra group: auditors and every other group or user read no Secret anywhere. Operators' service accounts are not people and are not checked.",
  severity: "high",
  configSchema: {
    properties: {
      adminGroups: {
        type: "array",
        items: { type: "string" },
        default: clusterAdminDefaults.adminGroups,
        description: "Group subjects (OIDC prefix included) that may read every Secret",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { adminGroups } = configOf(args, { adminGroups: clusterAdminDefaults.adminGroups });
    const secretReaders = new Set(
      ofTypes(args.resources, K8S.clusterRole)
        .filter((role) => ((role.props.rules ?? []) as PolicyRule[]).some(readsSecrets))
        .map((role) => nameOf(role.props))
        .filter((name): name is string => name !== undefined),
    );
    for (const binding of ofTypes(args.resources, K8S.clusterRoleBinding)) {
      const roleRef = binding.props.roleRef ?? {};
      if (roleRef.kind !== "ClusterRole" || !secretReaders.has(roleRef.name)) continue;
      const subjects: Subject[] = binding.props.subjects ?? [];
      const people = subjects.filter((s) => s.kind === "User" || s.kind === "Group");
      for (const subject of people.filter((s) => s.kind !== "Group" || !adminGroups.includes(s.name ?? ""))) {
        reportViolation(
          `ClusterRoleBinding "${nameOf(binding.props)}" lets ${subject.kind} "${subject.name}" read every Secret of the cluster (ClusterRole ${roleRef.name}).`,
          binding.urn,
        );
      }
    }
  },
};
