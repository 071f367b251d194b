/**
 * Cluster-wide rules for every team namespace that no namespace-level object of the team can loosen.
 *
 * Network: team admins may add NetworkPolicies, and NetworkPolicies only ever add allowed traffic. What a team
 * must never reach, other teams' namespaces and the instance metadata service (the node's IAM role), is denied
 * by ClusterNetworkPolicies (policy.networking.k8s.io/v1alpha2, the Kubernetes network-policy API's admin
 * policies) in the Admin tier, which is evaluated before every NetworkPolicy. Calico implements them; its CRD
 * chart (crd.projectcalico.org.v1 v3.32.1) installs their CRD. Without Calico (an existing cluster) these are
 * left out and the NetworkPolicy baseline is all there is.
 *
 * Admission: what a team may not do with the objects it may create, which RBAC cannot say (admission/*.ts): the
 * platform's own objects in its namespaces, NodePort Services where load balancers reach pods directly, load
 * balancers, DNS names and certificates that are not the team's, the platform's nodes and priorities,
 * Prometheus's credentials and other namespaces' pods. One ValidatingAdmissionPolicy each
 * (admissionregistration.k8s.io/v1, GA in Kubernetes 1.30: the API server itself refuses, with no webhook to run),
 * bound to every team namespace. A policy may name a resource whose CRD is not installed (ServiceMonitor,
 * Certificate on an existing cluster), and applies once it is.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming, TEAM_LABEL } from "../../lib/naming";
import { AdmissionContext, NO_NODE_PORTS, TeamAdmissionPolicy, teamAdmissionPolicies } from "./admission";
import { INSTANCE_METADATA } from "./baseline";

export interface TenancyGuardrailsArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  /**
   * Refuse NodePort Services. Not where pods sit on an overlay (Calico as the CNI): load balancers can reach them
   * only through node ports there (instance targets), so a team's Ingress or LoadBalancer backend needs one.
   */
  readonly refuseNodePorts: boolean;
  /** The network plugin that enforces ClusterNetworkPolicies (Calico, whose CRD chart installs their CRD); none: left out. */
  readonly clusterNetworkPolicies?: pulumi.Resource;
  /**
   * What admission in team namespaces holds teams to, beyond the environment's names (`naming`). Absent: no such
   * policies, for a project that shares a cluster whose guardrails another stack declares (a test fixture).
   */
  readonly admission?: Omit<AdmissionContext, "environment" | "domain">;
}

const teamNamespaces = { matchExpressions: [{ key: TEAM_LABEL, operator: "Exists" }] };
const otherTeams = (team: string) => ({
  matchExpressions: [
    { key: TEAM_LABEL, operator: "Exists" },
    { key: TEAM_LABEL, operator: "NotIn", values: [team] },
  ],
});

export class TenancyGuardrails extends pulumi.ComponentResource {
  private readonly guardrailsName: string;

  constructor(name: string, args: TenancyGuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:tenancy:TenancyGuardrails", name, {}, opts);
    this.guardrailsName = name;
    const childOpts = { parent: this, provider: args.provider };
    const { environment, domain } = args.naming;
    const policies = [
      ...(args.refuseNodePorts ? [NO_NODE_PORTS] : []),
      ...(args.admission ? teamAdmissionPolicies({ environment, domain, ...args.admission }) : []),
    ];
    for (const policy of policies) {
      admissionPolicy(`${name}-${policy.name.replace(/^team-namespaces-/, "")}`, policy, args.naming, childOpts);
    }

    if (args.clusterNetworkPolicies) {
      new k8s.apiextensions.CustomResource(
        `${name}-no-instance-metadata`,
        {
          apiVersion: "policy.networking.k8s.io/v1alpha2",
          kind: "ClusterNetworkPolicy",
          metadata: { name: "team-namespaces-no-instance-metadata", labels: args.naming.labels() },
          spec: {
            tier: "Admin",
            priority: 10,
            subject: { namespaces: teamNamespaces },
            egress: [{ name: "instance-metadata", action: "Deny", to: [{ networks: [INSTANCE_METADATA] }] }],
          },
        },
        { ...childOpts, dependsOn: args.clusterNetworkPolicies },
      );
    }
    this.registerOutputs({});
  }

  /** Where a team's isolation policy was declared before it moved into the team (so that it moves with the team to a shard). */
  formerIsolation(team: string): pulumi.Alias {
    return { name: `${this.guardrailsName}-isolate-${team}`, parent: this };
  }
}

/** A policy and its binding to every team namespace, refusing (`Deny`) what it does not admit. */
function admissionPolicy(name: string, policy: TeamAdmissionPolicy, naming: Naming, opts: pulumi.CustomResourceOptions) {
  const metadata = { name: policy.name, labels: naming.labels() };
  const created = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
    name,
    {
      metadata,
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: policy.resourceRules },
        matchConditions: policy.matchConditions,
        variables: policy.variables,
        validations: policy.validations.map((validation) => ({ ...validation, reason: "Forbidden" })),
      },
    },
    opts,
  );
  new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
    `${name}-binding`,
    { metadata, spec: { policyName: policy.name, validationActions: ["Deny"], matchResources: { namespaceSelector: teamNamespaces } } },
    { ...opts, dependsOn: created },
  );
}

/**
 * Denies traffic between a team's namespaces and other teams', in the Admin tier: a team's own NetworkPolicies
 * cannot open it. Part of the team (components/tenancy/team.ts), so that it lives in whichever stack carries the team.
 */
export function teamIsolationPolicy(team: string, labels: Record<string, string>) {
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha2",
    kind: "ClusterNetworkPolicy",
    metadata: { name: `team-${team}-isolation`, labels },
    spec: {
      tier: "Admin",
      priority: 20,
      subject: { namespaces: { matchLabels: { [TEAM_LABEL]: team } } },
      ingress: [{ name: "from-other-teams", action: "Deny", from: [{ namespaces: otherTeams(team) }] }],
      egress: [{ name: "to-other-teams", action: "Deny", to: [{ namespaces: otherTeams(team) }] }],
    },
  };
}
