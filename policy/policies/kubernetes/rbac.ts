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
      reportViolation(`AccessPolicyAssociation ${association.name} makes ${principal} cluster-admin; only ${adminPrincipals.join(", ")} may be.`, association.urn);
    }
  },
};
