/**
 * Who may open a connection to a pod of the monitoring namespace. Prometheus and Alertmanager answer any caller
 * without a login (Alertmanager's API creates silences), so only the namespace's own pods reach them; Grafana,
 * which signs people in, is reached by the load balancer (and by whoever can reach that: the same login); the
 * operator's admission webhook by the API server. Kubelet probes come from the pod's own node, which a
 * NetworkPolicy never blocks (Kubernetes "Network Policies": "traffic to and from the node where a Pod is running
 * is always allowed"; Calico does not police host-to-local-workload traffic, projectcalico/calico
 * felix/rules/static.go, filterOutputChain). Pods on the host network (node-exporter; the operator where Calico is
 * the CNI) are outside any NetworkPolicy.
 */
import * as k8s from "@pulumi/kubernetes";

type PolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

/** Grafana's HTTP port (grafana subchart 12.11.1, `service.targetPort`). */
const GRAFANA_PORT = 3000;

export interface MonitoringPolicySettings {
  /** kube-prometheus-stack's release name, in its pods' labels. */
  readonly release: string;
  /** The port the operator's admission webhook listens on (`prometheusOperator.tls.internalPort`). */
  readonly webhookPort: number;
}

/** Name → spec of each NetworkPolicy of the monitoring namespace. */
export function monitoringIngressPolicies(settings: MonitoringPolicySettings): Record<string, PolicySpec> {
  return {
    "within-namespace": { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] },
    "grafana-from-load-balancer": {
      podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": settings.release } },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: GRAFANA_PORT }] }],
    },
    // The API server's address is outside any selector (the EKS control plane's network interfaces in the VPC).
    "operator-webhook-from-api-server": {
      podSelector: { matchLabels: { app: `${settings.release}-operator`, release: settings.release } },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: settings.webhookPort }] }],
    },
  };
}
