/**
 * Who may open a connection to a pod of the logging namespaces. Elasticsearch holds every team's logs, and Kibana
 * signs anyone who reaches it in without a login (kibana.ts), so teams reach neither: only the login proxy takes
 * connections from outside (from the load balancer, and from whoever can reach that: the same Dex login), and
 * Elasticsearch only from the namespace's own pods and from Fluent Bit. Kubelet probes come from the pod's own
 * node, which a NetworkPolicy never blocks (components/monitoring/network-policies.ts has the sources).
 */
import * as k8s from "@pulumi/kubernetes";
import { ELASTICSEARCH_NAME } from "./elasticsearch";
import { KIBANA_POD_LABEL, PROXY_POD_LABEL } from "./kibana";

type PolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

/** oauth2-proxy's HTTP port (oauth2-proxy chart 10.7.0 templates/deployment.yaml, `--http-address`). */
const PROXY_PORT = 4180;
/** Elasticsearch's HTTP port, where Fluent Bit ships (its transport port, 9300, stays within the namespace). */
const ELASTICSEARCH_HTTP_PORT = 9200;

export interface LoggingPolicySettings {
  /** Where Fluent Bit runs. */
  readonly agentsNamespace: string;
}

/** Name → spec of each NetworkPolicy of the logging namespace, next to Kibana's own (kibana.ts). */
export function loggingIngressPolicies(settings: LoggingPolicySettings): Record<string, PolicySpec> {
  return {
    // Kibana's pods are left to their own policy, which admits the proxy alone.
    "within-namespace": {
      podSelector: { matchExpressions: [{ key: Object.keys(KIBANA_POD_LABEL)[0], operator: "DoesNotExist" }] },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: {} }] }],
    },
    "elasticsearch-from-agents": {
      podSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": ELASTICSEARCH_NAME } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": settings.agentsNamespace } } }],
          ports: [{ protocol: "TCP", port: ELASTICSEARCH_HTTP_PORT }],
        },
      ],
    },
    "oauth2-proxy-from-load-balancer": {
      podSelector: { matchLabels: PROXY_POD_LABEL },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: PROXY_PORT }] }],
    },
  };
}

/** The agents' namespace: nothing connects to Fluent Bit (it only ships), so every connection is refused. */
export const AGENTS_INGRESS_POLICY: PolicySpec = { podSelector: {}, policyTypes: ["Ingress"] };
