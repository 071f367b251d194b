/**
 * The platform's ClusterRoles. Team roles list every verb and resource explicitly (no wildcards), so that
 * a new API added to the cluster grants nothing until someone decides it should.
 */
import * as k8s from "@pulumi/kubernetes";
import { AUDITED_API_RULES } from "./auditor";

type Rule = k8s.types.input.rbac.v1.PolicyRule;

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete", "deletecollection"];

/** What a team deploys and operates: workloads and their configuration. */
const WORKLOADS: Rule[] = [
  { apiGroups: [""], resources: ["pods", "services", "configmaps", "persistentvolumeclaims", "serviceaccounts"], verbs: [] },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"], verbs: [] },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: [] },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: [] },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: [] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: [] },
  { apiGroups: ["monitoring.coreos.com"], resources: ["servicemonitors", "podmonitors", "prometheusrules"], verbs: [] },
  { apiGroups: ["cert-manager.io"], resources: ["certificates"], verbs: [] },
];

/** Visible to every team member, never writable by a team: the namespace's guard rails. */
const GUARD_RAILS: Rule[] = [
  { apiGroups: [""], resources: ["resourcequotas", "limitranges", "events", "endpoints", "pods/log"], verbs: READ },
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
];

const withVerbs = (rules: Rule[], verbs: string[]): Rule[] => rules.map((rule) => ({ ...rule, verbs }));

const VIEWER: Rule[] = [...withVerbs(WORKLOADS, READ), ...GUARD_RAILS];

const DEVELOPER: Rule[] = [
  ...withVerbs(WORKLOADS, [...READ, ...WRITE]),
  ...GUARD_RAILS,
  // Bound per namespace, so a developer manages the Secrets of their own namespaces only.
  { apiGroups: [""], resources: ["secrets"], verbs: [...READ, ...WRITE] },
  { apiGroups: [""], resources: ["pods/exec", "pods/portforward", "pods/attach"], verbs: ["get", "create"] },
  { apiGroups: ["apps"], resources: ["deployments/scale", "statefulsets/scale"], verbs: ["get", "update", "patch"] },
];

const NAMESPACE_ADMIN: Rule[] = [
  ...DEVELOPER,
  // Team admins grant access inside their namespaces; RBAC's escalation check keeps them within their own rights.
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: [...READ, ...WRITE] },
  // Team admins add allow policies inside their namespaces. What must stay denied (other teams, instance
  // metadata) is denied by ClusterNetworkPolicies above every NetworkPolicy (tenancy/guardrails.ts).
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: [...READ, ...WRITE] },
];

/** Cluster-wide read for auditors: every API group the platform runs (auditor.ts), Secrets deliberately absent. */
const AUDITOR: Rule[] = [...withVerbs(WORKLOADS, READ), ...GUARD_RAILS, ...AUDITED_API_RULES];

/** The infra team runs the cluster; this is the only role with wildcards, and only the infra group holds it. */
const PLATFORM_ADMIN: Rule[] = [
  { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
  { nonResourceURLs: ["*"], verbs: ["*"] },
];

export const CLUSTER_ROLES = {
  "platform-admin": PLATFORM_ADMIN,
  "namespace-admin": NAMESPACE_ADMIN,
  developer: DEVELOPER,
  viewer: VIEWER,
  auditor: AUDITOR,
} as const;

export type ClusterRoleName = keyof typeof CLUSTER_ROLES;

/** Which team group list is bound to which role in the team's namespaces. */
export const TEAM_ROLE_BINDINGS = { admins: "namespace-admin", developers: "developer", viewers: "viewer" } as const;
