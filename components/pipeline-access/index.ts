/**
 * What the pipeline's read-only identity may read inside a cluster, beyond its EKS access policy.
 *
 * The preview role runs three jobs: a pull request's preview, the plan before an approval, and the nightly drift
 * check. Its EKS access entry associates AmazonEKSViewPolicy, which reads workloads and their configuration but
 * no RBAC object, CRD, StorageClass, webhook configuration or custom resource (EKS User Guide, "Review access
 * policy permissions"). A preview needs no more, but a refresh reads every object the stack holds, so the same
 * entry puts the role in PIPELINE_READERS_GROUP, which this component binds to the `auditor` ClusterRole: every
 * API the platform installs, read-only, Secrets excepted (components/tenancy/auditor.ts). The drift check leaves
 * Secrets out of its refresh (scripts/drift.ts).
 *
 * A chart rendered by `helm.v4.Chart` runs its `lookup` calls against the cluster with the provider's
 * credentials, in previews too, and Helm fails the render on any error but NotFound (pulumi-kubernetes
 * provider/pkg/provider/helm/v4/chart.go renders with DryRunOption "server"; helm pkg/engine/lookup_func.go).
 * Each lookup a pinned chart makes with the program's values is granted here by name, and nothing else
 * (lib/versions.ts `renderLookups`, audited against the archives by test/unit/chart-lookups.test.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { RenderLookup } from "../../lib/versions";

/** The Kubernetes group of the preview role's EKS access entry (components/cluster/eks-access.ts). */
export const PIPELINE_READERS_GROUP = "platform:pipeline-readers";

/** The ClusterRole the pipeline readers are bound to (components/tenancy/roles.ts). */
const READ_EVERYTHING_BUT_SECRETS = "auditor";

export interface PipelineAccessArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  /** What the charts this stack installs look up while they render (lib/versions.ts `renderLookups`). */
  readonly renderLookups: readonly RenderLookup[];
}

export class PipelineAccess extends pulumi.ComponentResource {
  constructor(name: string, args: PipelineAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:pipeline-access:PipelineAccess", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const labels = args.naming.labels();
    const readers = [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: PIPELINE_READERS_GROUP }];

    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-readers`,
      {
        metadata: { name: "pipeline-readers", labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: READ_EVERYTHING_BUT_SECRETS },
        subjects: readers,
      },
      childOpts,
    );

    for (const [namespace, lookups] of byNamespace(args.renderLookups)) {
      const roleName = "pipeline-render-lookups";
      const role = new k8s.rbac.v1.Role(
        `${name}-${namespace}-render-lookups`,
        {
          metadata: { name: roleName, namespace, labels },
          rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: lookups.map((lookup) => lookup.name), verbs: ["get"] }],
        },
        childOpts,
      );
      new k8s.rbac.v1.RoleBinding(
        `${name}-${namespace}-render-lookups`,
        {
          metadata: { name: roleName, namespace, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName },
          subjects: readers,
        },
        { ...childOpts, dependsOn: role },
      );
    }
    this.registerOutputs({});
  }
}

function byNamespace(lookups: readonly RenderLookup[]): Map<string, RenderLookup[]> {
  const grouped = new Map<string, RenderLookup[]>();
  for (const lookup of lookups) grouped.set(lookup.namespace, [...(grouped.get(lookup.namespace) ?? []), lookup]);
  return grouped;
}
