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
 * Two kinds of Secret reads happen in every preview, with the provider's credentials, and fail it when forbidden:
 * - A chart rendered by `helm.v4.Chart` runs its `lookup` calls against the cluster, and Helm fails the render on
 *   any error but NotFound (pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go renders with DryRunOption
 *   "server"; helm pkg/engine/lookup_func.go). Each lookup a pinned chart makes with the program's values is
 *   listed in lib/versions.ts `renderLookups`, audited against the archives by test/unit/chart-lookups.test.ts.
 * - A `<Resource>.get` of the program is a read step, which the engine runs in previews and refreshes alike
 *   (pulumi pkg/resource/deploy/step.go, ReadStep), and the provider fails on anything but NotFound.
 * Each of them is granted here by name, and nothing else; test/unit/pipeline-access.test.ts holds every Secret a
 * mock run reads or a chart looks up to this list.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";

/** The Kubernetes group of the preview role's EKS access entry (components/cluster/eks-access.ts). */
export const PIPELINE_READERS_GROUP = "platform:pipeline-readers";

/** The Role, in each namespace holding a Secret a preview reads, that grants those Secrets by name. */
export const PIPELINE_SECRET_READS = "pipeline-secret-reads";

/** The ClusterRole the pipeline readers are bound to (components/tenancy/roles.ts). */
const READ_EVERYTHING_BUT_SECRETS = "auditor";

export interface PipelineAccessArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  /** The Secrets a preview of this stack reads: what its charts look up while they render, and what it `.get`s. */
  readonly secretReads: readonly SecretRead[];
}

/** A Secret read by name. */
export interface SecretRead {
  readonly namespace: string;
  readonly name: string;
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

    for (const [namespace, names] of byNamespace(args.secretReads)) {
      const roleName = PIPELINE_SECRET_READS;
      const role = new k8s.rbac.v1.Role(
        `${name}-${namespace}-secret-reads`,
        {
          metadata: { name: roleName, namespace, labels },
          rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: names, verbs: ["get"] }],
        },
        childOpts,
      );
      new k8s.rbac.v1.RoleBinding(
        `${name}-${namespace}-secret-reads`,
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

/** Names once each, by namespace: two charts or a chart and the program may read the same Secret. */
function byNamespace(reads: readonly SecretRead[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const { namespace, name } of reads) {
    const names = grouped.get(namespace) ?? [];
    if (!names.includes(name)) grouped.set(namespace, [...names, name]);
  }
  return grouped;
}
