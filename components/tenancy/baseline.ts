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

export function quotaHard(quota: QuotaConfig): Record<string, string> {
  const hard: Record<string, string | undefined> = {
    pods: String(quota.pods),
    services: String(quota.services),
    "services.loadbalancers": String(quota.loadBalancers),
    // A LoadBalancer Service allocates node ports too, which this count includes: a limit of 0 would refuse the
    // granted load balancers. NodePort Services themselves are refused by TenancyGuardrails in every case.
    ...(quota.loadBalancers === 0 ? { "services.nodeports": "0" } : {}),
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
   * The environment's VPC (absent on an existing cluster). Load balancers reach pods from its addresses (ALB and
   * NLB in IP mode, node ports in instance mode); the EKS API server's endpoints and the VPC interface endpoints
   * (STS, which IRSA needs; ECR) have their addresses in it, on 443.
   */
  readonly vpcCidr?: string;
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
  return {
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
    ingress: [
      { from: [sameTeam] },
      { from: [inNamespace(peers.monitoringNamespace)] },
      ...(peers.ingressNamespace ? [{ from: [inNamespace(peers.ingressNamespace)] }] : []),
      ...(vpc.length ? [{ from: vpc }] : []),
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
