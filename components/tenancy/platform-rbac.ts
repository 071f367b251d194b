import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { CLUSTER_ROLES } from "./roles";

export interface PlatformRbacArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  /** Prefix the API server adds to OIDC groups, e.g. `oidc:`. */
  readonly groupsPrefix: string;
  /** The only group bound cluster-wide with full rights. */
  readonly infraGroup: string;
  /** Cluster-wide read, Secrets excluded. */
  readonly auditorGroup: string;
}

/** The cluster's roles, and the only two cluster-wide bindings: the infra team and the auditors. */
export class PlatformRbac extends pulumi.ComponentResource {
  constructor(name: string, args: PlatformRbacArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:tenancy:PlatformRbac", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const labels = args.naming.labels();

    const roles = Object.fromEntries(
      Object.entries(CLUSTER_ROLES).map(([roleName, rules]) => [
        roleName,
        new k8s.rbac.v1.ClusterRole(`${name}-${roleName}`, { metadata: { name: roleName, labels }, rules }, childOpts),
      ]),
    );
    const bindCluster = (roleName: "platform-admin" | "auditor", group: string) =>
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-${roleName}-binding`,
        {
          metadata: { name: roleName, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
          subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: `${args.groupsPrefix}${group}` }],
        },
        { ...childOpts, dependsOn: roles[roleName] },
      );
    bindCluster("platform-admin", args.infraGroup);
    bindCluster("auditor", args.auditorGroup);
    this.registerOutputs({});
  }
}
