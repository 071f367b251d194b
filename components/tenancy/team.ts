import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { QuotaConfig, TeamConfig, teamNamespaces, TenancyConfig } from "../../config/sections/tenancy";
import { PUBLIC_INGRESS_LABEL } from "../../lib/ingress-classes";
import { Naming } from "../../lib/naming";
import { containerDefaults, networkBaseline, podSecurityLabels, quotaHard } from "./baseline";
import { teamIsolationPolicy } from "./guardrails";
import { TEAM_ROLE_BINDINGS } from "./roles";

export const PULL_SECRET_NAME = "registry-credentials";

/**
 * The Kubernetes group of a team's CI role (components/ci-runners/team-access.ts, its EKS access entry). No person
 * is ever in it: the API server prefixes every directory group (identity.oidc.groupsPrefix), and Active Directory
 * refuses `:` in group names.
 */
export function teamCiGroup(team: string): string {
  return `platform:ci:${team}`;
}

export interface TeamArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  readonly team: TeamConfig;
  /** The environment's tenancy defaults; the team's own quota and pod security override them. */
  readonly tenancy: TenancyConfig;
  /** Prefix the API server adds to OIDC groups, e.g. `oidc:`. */
  readonly groupsPrefix: string;
  readonly monitoringNamespace: string;
  /** The environment's VPC, for the network baseline (absent on an existing cluster). */
  readonly vpcCidr?: string;
  /** Ranges load-balanced traffic arrives from (baseline.ts `BaselinePeers`). */
  readonly loadBalancerSources: readonly string[];
  /** Whether TenancyGuardrails refuses NodePort Services (everywhere but on a pod overlay). */
  readonly nodePortsRefused: boolean;
  /** `.dockerconfigjson` attached to every namespace's default ServiceAccount, when registries need credentials. */
  readonly pullSecret?: pulumi.Output<string>;
  /** Where ClusterNetworkPolicies are enforced (Calico): the team's isolation policy (guardrails.ts); absent elsewhere. */
  readonly isolation?: {
    /** Calico in the same stack, whose CRD chart installs the policy's CRD. */
    readonly after?: pulumi.Resource;
    /** Where the policy was declared before it moved into the team (TenancyGuardrails.formerIsolation). */
    readonly formerly?: pulumi.Alias;
  };
}

/**
 * A team's namespaces with everything that makes them safe to hand over: pod security, quota, default
 * limits, the network baseline, RoleBindings from the team's directory groups and registry credentials.
 */
export class Team extends pulumi.ComponentResource {
  readonly namespaces: string[];

  constructor(name: string, args: TeamArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:tenancy:Team", name, {}, opts);
    const { team, tenancy, naming } = args;
    this.namespaces = teamNamespaces(team);
    const quota: QuotaConfig = { ...tenancy.defaultQuota, ...team.quota };
    const teamLabels = naming.labels(team.name);
    const labels = {
      ...teamLabels,
      ...podSecurityLabels(team.podSecurity ?? tenancy.podSecurity),
      ...(team.publicIngress ? { [PUBLIC_INGRESS_LABEL]: "true" } : {}),
    };
    const annotations = naming.ownership(team);
    const childOpts = { parent: this, provider: args.provider };
    // The same in every namespace of the team.
    const hard = quotaHard(quota, args.nodePortsRefused);
    const limits = containerDefaults(tenancy.defaultLimits);
    const network = networkBaseline({
      team: team.name,
      monitoringNamespace: args.monitoringNamespace,
      ingressNamespace: tenancy.ingressNamespace,
      vpcCidr: args.vpcCidr,
      loadBalancerSources: args.loadBalancerSources,
      egress: team.egress,
    });

    if (args.isolation) {
      new k8s.apiextensions.CustomResource(`${name}-isolation`, teamIsolationPolicy(team.name, naming.labels()), {
        ...childOpts,
        dependsOn: args.isolation.after,
        aliases: args.isolation.formerly ? [args.isolation.formerly] : [],
      });
    }
    for (const namespace of this.namespaces) {
      const prefix = `${name}-${namespace}`;
      const ns = new k8s.core.v1.Namespace(`${prefix}`, { metadata: { name: namespace, labels, annotations } }, childOpts);
      const inNamespace = { ...childOpts, dependsOn: ns };
      const metadata = (objectName: string) => ({ name: objectName, namespace, labels: teamLabels });

      new k8s.core.v1.ResourceQuota(`${prefix}-quota`, { metadata: metadata("team-quota"), spec: { hard } }, inNamespace);
      new k8s.core.v1.LimitRange(`${prefix}-limits`, { metadata: metadata("container-defaults"), spec: limits }, inNamespace);
      new k8s.networking.v1.NetworkPolicy(
        `${prefix}-network-baseline`,
        { metadata: metadata("default-deny-with-platform-access"), spec: network },
        inNamespace,
      );
      for (const [groupKind, role] of Object.entries(TEAM_ROLE_BINDINGS)) {
        const groups = team.groups[groupKind as keyof typeof TEAM_ROLE_BINDINGS];
        if (groups.length === 0) continue;
        new k8s.rbac.v1.RoleBinding(
          `${prefix}-${role}`,
          {
            metadata: metadata(`team-${role}`),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
            subjects: groups.map((group) => ({
              apiGroup: "rbac.authorization.k8s.io",
              kind: "Group",
              name: `${args.groupsPrefix}${group}`,
            })),
          },
          inNamespace,
        );
      }
      if (team.ci) {
        // The team's own CI role is in this group alone (its EKS access entry): it deploys as the team's developers,
        // here and in no other team's namespace.
        new k8s.rbac.v1.RoleBinding(
          `${prefix}-ci-deploy`,
          {
            metadata: metadata("team-ci-deploy"),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: TEAM_ROLE_BINDINGS.developers },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: teamCiGroup(team.name) }],
          },
          inNamespace,
        );
      }
      if (args.pullSecret) {
        const secret = new k8s.core.v1.Secret(
          `${prefix}-pull-secret`,
          {
            metadata: metadata(PULL_SECRET_NAME),
            type: "kubernetes.io/dockerconfigjson",
            stringData: { ".dockerconfigjson": args.pullSecret },
          },
          inNamespace,
        );
        new k8s.core.v1.ServiceAccountPatch(
          `${prefix}-default-sa`,
          { metadata: { name: "default", namespace }, imagePullSecrets: [{ name: PULL_SECRET_NAME }] },
          { ...childOpts, dependsOn: secret },
        );
      }
    }
    this.registerOutputs({ namespaces: this.namespaces });
  }
}
