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
 * No NodePort Services, wherever load balancers can target pods: a node port opens the service on every node's
 * address, outside the ingress path and the network baseline's namespace boundaries. A quota cannot say this: `services.nodeports` also counts the
 * node ports a LoadBalancer Service allocates, so a quota of 0 would refuse the load balancers the team is
 * granted (`services.loadbalancers`). A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA in
 * Kubernetes 1.30) refuses the type itself, in the API server, with no webhook to run.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LABEL_PREFIX, Naming } from "../../lib/naming";
import { INSTANCE_METADATA } from "./baseline";

const NO_NODE_PORTS = "team-namespaces-no-node-ports";

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
}

const TEAM_KEY = `${LABEL_PREFIX}/team`;
const teamNamespaces = { matchExpressions: [{ key: TEAM_KEY, operator: "Exists" }] };
const otherTeams = (team: string) => ({
  matchExpressions: [
    { key: TEAM_KEY, operator: "Exists" },
    { key: TEAM_KEY, operator: "NotIn", values: [team] },
  ],
});

export class TenancyGuardrails extends pulumi.ComponentResource {
  private readonly guardrailsName: string;

  constructor(name: string, args: TenancyGuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:tenancy:TenancyGuardrails", name, {}, opts);
    this.guardrailsName = name;
    const childOpts = { parent: this, provider: args.provider };
    const metadata = { name: NO_NODE_PORTS, labels: args.naming.labels() };

    if (args.refuseNodePorts) {
      const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        `${name}-no-node-ports`,
        {
          metadata,
          spec: {
            failurePolicy: "Fail",
            matchConstraints: {
              resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services"] }],
            },
            validations: [
              {
                expression: "object.spec.type != 'NodePort'",
                message:
                  "NodePort Services are not allowed in team namespaces: use a LoadBalancer Service (within the team's quota) or an Ingress",
                reason: "Forbidden",
              },
            ],
          },
        },
        childOpts,
      );
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        `${name}-no-node-ports-binding`,
        {
          metadata,
          spec: {
            policyName: NO_NODE_PORTS,
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchExpressions: [{ key: `${LABEL_PREFIX}/team`, operator: "Exists" }] } },
          },
        },
        { ...childOpts, dependsOn: policy },
      );
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
      subject: { namespaces: { matchLabels: { [TEAM_KEY]: team } } },
      ingress: [{ name: "from-other-teams", action: "Deny", from: [{ namespaces: otherTeams(team) }] }],
      egress: [{ name: "to-other-teams", action: "Deny", to: [{ namespaces: otherTeams(team) }] }],
    },
  };
}
