/**
 * What Velero's server needs in the cluster, instead of the chart's default binding to cluster-admin (which the
 * policy pack reserves for the infra group). A backup reads every object; a restore creates and patches them
 * back, including RBAC objects granting what Velero itself holds only through `bind`/`escalate`; Velero owns
 * its own velero.io objects outright. It deletes nothing outside velero.io. Creating RBAC objects with `bind`
 * still lets it grant itself anything, so this is cluster-admin in effect (docs/services.md says so): what it
 * drops is the standing cluster-admin binding. (Velero docs, restore reference: restores need create on every
 * restored kind.)
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";

export const VELERO_CLUSTER_ROLE = "velero-backup-restore";

export function veleroClusterRole(parent: pulumi.Resource, name: string, provider: k8s.Provider, naming: Naming): k8s.rbac.v1.ClusterRole {
  return new k8s.rbac.v1.ClusterRole(
    `${name}-cluster-role`,
    {
      metadata: { name: VELERO_CLUSTER_ROLE, labels: naming.labels() },
      rules: [
        { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch", "create", "update", "patch"] },
        {
          apiGroups: ["velero.io"],
          resources: ["*"],
          verbs: ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"],
        },
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "roles"], verbs: ["bind", "escalate"] },
      ],
    },
    { parent, provider },
  );
}
