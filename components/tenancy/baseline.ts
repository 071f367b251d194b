/** The specs every team namespace gets: pod security labels, quota, default limits and the network baseline. */
import * as k8s from "@pulumi/kubernetes";
import { QuotaConfig, TeamConfig, TenancyConfig } from "../../config/sections/tenancy";
import { cidrContains } from "../../lib/cidr";
import { LABEL_PREFIX } from "../../lib/naming";

type PodSecurityLevel = TenancyConfig["podSecurity"];

/** `enforce` at the configured level; `warn` and `audit` always at `restricted`, to show what tightening would break. */
export function podSecurityLabels(enforce: PodSecurityLevel): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": enforce,
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
  };
}

/**
 * `nodePortsRefused`: NodePort Services are refused in team namespaces (TenancyGuardrails), which they are
 * wherever load balancers can target pods. Then a LoadBalancer Service's own node ports, which
 * `services.nodeports` counts too, must not be capped where load balancers are granted.
 */
export function quotaHard(quota: QuotaConfig, nodePortsRefused: boolean): Record<string, string> {
  const hard: Record<string, string | undefined> = {
    pods: String(quota.pods),
    services: String(quota.services),
    "services.loadbalancers": String(quota.loadBalancers),
    ...(nodePortsRefused && quota.loadBalancers === 0 ? { "services.nodeports": "0" } : {}),
    secrets: String(quota.secrets),
    configmaps: String(quota.configMaps),
    persistentvolumeclaims: String(quota.persistentVolumeClaims),
    "requests.cpu": quota.requestsCpu,
    "requests.memory": quota.requestsMemory,
    "limits.cpu": quota.limitsCpu,
    "limits.memory": quota.limitsMemory,
    "requests.storage": quota.requestsStorage,
  };
  return Object.fromEntries(Object.entries(hard).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export function containerDefaults(limits: TenancyConfig["defaultLimits"]): k8s.types.input.core.v1.LimitRangeSpec {
  return { limits: [{ type: "Container", defaultRequest: { ...limits.defaultRequest }, default: { ...limits.default } }] };
}

const inNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

/** The instance metadata service: a pod reaching it can take the node's IAM role. Never part of an allowed range. */
export const INSTANCE_METADATA = "169.254.169.254/32";

export interface BaselinePeers {
  /** The team's label value: all its namespaces carry it, so they reach each other. */
  readonly team: string;
  readonly monitoringNamespace: string;
  readonly ingressNamespace?: string;
  /**
   * The environment's VPC (absent on an existing cluster): the EKS API server's endpoints and the VPC interface
   * endpoints (STS, which IRSA needs; ECR) have their addresses in it, on 443.
   */
  readonly vpcCidr?: string;
  /**
   * Where load-balanced traffic comes from: the VPC (ALB and NLB addresses, in IP and instance mode), and with
   * Calico as the CNI its pool too (instance-mode traffic forwarded between nodes arrives from a node's tunnel
   * address). A NetworkPolicy cannot tell a load balancer from a pod of the same range: these ranges hold the
   * cluster's pods as well (docs: README "Tenancy").
   */
  readonly loadBalancerSources: readonly string[];
  /** The team's own allow-list (`teams[].egress`). */
  readonly egress: TeamConfig["egress"];
}

/**
 * One policy that selects every pod for both directions, so everything not listed is denied, then lists what a
 * team needs: its own namespaces, the platform's scrapers and ingress, the VPC's load balancers, DNS, the API
 * server and AWS endpoints, and its configured destinations. A single object keeps a team's cost low. Teams may
 * add allow policies of their own; what they must never reach (other teams, instance metadata) is denied above
 * all namespace policies by TenancyGuardrails.
 */
export function networkBaseline(peers: BaselinePeers): k8s.types.input.networking.v1.NetworkPolicySpec {
  const sameTeam = { namespaceSelector: { matchLabels: { [`${LABEL_PREFIX}/team`]: peers.team } } };
  const vpc = peers.vpcCidr ? [{ ipBlock: { cidr: peers.vpcCidr } }] : [];
  const loadBalancers = peers.loadBalancerSources.map((cidr) => ({ ipBlock: { cidr } }));
  return {
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
    ingress: [
      { from: [sameTeam] },
      { from: [inNamespace(peers.monitoringNamespace)] },
      ...(peers.ingressNamespace ? [{ from: [inNamespace(peers.ingressNamespace)] }] : []),
      ...(loadBalancers.length ? [{ from: loadBalancers }] : []),
    ],
    egress: [
      { to: [sameTeam] },
      {
        to: [{ ...inNamespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
      ...(vpc.length ? [{ to: vpc, ports: [{ protocol: "TCP", port: 443 }] }] : []),
      ...peers.egress.map((rule) => ({
        to: [{ ipBlock: { cidr: rule.cidr, ...(cidrContains(rule.cidr, INSTANCE_METADATA) ? { except: [INSTANCE_METADATA] } : {}) } }],
        ports: rule.ports.map((port) => ({ protocol: rule.protocol, port })),
      })),
    ],
  };
}
