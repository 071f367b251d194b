/** The specs every team namespace gets: pod security labels, quota, default limits and the network baseline. */
import * as k8s from "@pulumi/kubernetes";
import { QuotaConfig, TenancyConfig } from "../../config/sections/tenancy";

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
    // Node ports bypass the ingress path and the network baseline's namespace boundaries.
    "services.nodeports": "0",
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

/**
 * One policy that selects every pod for both directions, so everything not listed is denied, then lists
 * the only traffic a team namespace needs from the platform. A single object keeps a team's cost low;
 * splitting deny and allow would add objects without adding a guarantee.
 */
export function networkBaseline(peers: { monitoringNamespace: string; ingressNamespace?: string }): k8s.types.input.networking.v1.NetworkPolicySpec {
  return {
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
    ingress: [
      { from: [{ podSelector: {} }] },
      { from: [inNamespace(peers.monitoringNamespace)] },
      ...(peers.ingressNamespace ? [{ from: [inNamespace(peers.ingressNamespace)] }] : []),
    ],
    egress: [
      { to: [{ podSelector: {} }] },
      {
        to: [{ ...inNamespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ],
  };
}
