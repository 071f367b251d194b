/** Kubernetes type tokens and the parts of an object the policies read: namespace, labels, pod template. */
import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";

export const K8S = {
  namespace: "kubernetes:core/v1:Namespace",
  resourceQuota: "kubernetes:core/v1:ResourceQuota",
  limitRange: "kubernetes:core/v1:LimitRange",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  service: "kubernetes:core/v1:Service",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
} as const;

/** Set by the platform's naming (lib/naming.ts `labels(team)`) on every namespace a team owns. */
export const TEAM_LABEL = "platform.example.io/team";

/** Where each workload kind keeps its pod spec. Objects inside Helm charts are not visible to policies. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:core/v1:ReplicationController": ["spec", "template", "spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

export interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly securityContext?: { readonly privileged?: boolean };
}

export interface PodSpec {
  readonly hostNetwork?: boolean;
  readonly containers?: Container[];
  readonly initContainers?: Container[];
  readonly ephemeralContainers?: Container[];
  readonly volumes?: { readonly name?: string; readonly hostPath?: unknown }[];
}

/** The pod spec of a workload, or undefined for any other type (or a workload without a template yet). */
export function podSpecOf(type: string, props: Record<string, any>): PodSpec | undefined {
  const path = POD_SPEC_PATHS[type];
  return path?.reduce<any>((node, key) => node?.[key], props);
}

export function allContainers(spec: PodSpec): Container[] {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
}

/** The namespace an object lands in: its own, else the provider's default, else `default`. */
export function namespaceOf(props: Record<string, any>, provider?: PolicyProviderResource): string {
  return props.metadata?.namespace ?? provider?.props.namespace ?? "default";
}

export const nameOf = (props: Record<string, any>): string | undefined => props.metadata?.name;

/** Names of the namespaces of this stack that a team owns. */
export function teamNamespaces(resources: readonly PolicyResource[]): Set<string> {
  return new Set(
    resources
      .filter((r) => r.type === K8S.namespace && r.props.metadata?.labels?.[TEAM_LABEL] !== undefined)
      .map((r) => nameOf(r.props))
      .filter((name): name is string => name !== undefined),
  );
}

/** The objects of `type` in each namespace. */
export function byNamespace(resources: readonly PolicyResource[], type: string): Map<string, PolicyResource[]> {
  const grouped = new Map<string, PolicyResource[]>();
  for (const r of resources.filter((r) => r.type === type)) {
    const ns = namespaceOf(r.props, r.provider);
    grouped.set(ns, [...(grouped.get(ns) ?? []), r]);
  }
  return grouped;
}
