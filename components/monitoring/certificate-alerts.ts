/**
 * Certificates watched by Prometheus: Let's Encrypt sends no expiry e-mail since 2025-06-04 (letsencrypt.org,
 * "Ending Expiration Notification Emails"), so a renewal that keeps failing is seen here or at the outage.
 * cert-manager renews a certificate once two thirds of its life has passed (30 days before the end of a
 * 90-day Let's Encrypt certificate), so three weeks left means renewals have failed for over a week.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Where cert-manager's controller serves its metrics: a Service of the chart, selected by its labels. */
export interface CertificateMetrics {
  readonly namespace: string;
  readonly serviceSelector: Record<string, string>;
  readonly port: string;
}

const EXPIRY_WARNING_DAYS = 21;

/**
 * cert-manager's metrics carry each Certificate's namespace as `namespace`, which the target's own label takes
 * over: Prometheus keeps the metric's as `exported_namespace` (honorLabels is off).
 */
const CERTIFICATE_ALERTS = [
  {
    alert: "CertificateNotReady",
    expr: 'max by (exported_namespace, name) (certmanager_certificate_ready_status{condition!="True"}) == 1',
    for: "1h",
    labels: { severity: "warning" },
    annotations: {
      summary: "Certificate {{ $labels.exported_namespace }}/{{ $labels.name }} has not been ready for an hour.",
      description:
        "cert-manager cannot issue or renew it: `kubectl -n {{ $labels.exported_namespace }} describe certificate {{ $labels.name }}`.",
    },
  },
  {
    alert: "CertificateExpiresSoon",
    expr: `min by (exported_namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time()) < ${EXPIRY_WARNING_DAYS} * 86400`,
    for: "1h",
    labels: { severity: "critical" },
    annotations: {
      summary: "Certificate {{ $labels.exported_namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}.",
      description: `Renewal starts well before ${EXPIRY_WARNING_DAYS} days are left: it has been failing.`,
    },
  },
];

export interface CertificateAlertsSettings {
  readonly metrics: CertificateMetrics;
  /** The namespace of the monitoring stack, where the rule lives. */
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/**
 * The monitor sits in cert-manager's namespace: Prometheus scopes each monitor to its own namespace
 * (`ignoreNamespaceSelectors`, values.ts).
 */
export function certificateAlerts(name: string, settings: CertificateAlertsSettings, opts: pulumi.CustomResourceOptions): void {
  const { metrics, labels } = settings;
  new k8s.apiextensions.CustomResource(
    `${name}-certificates-monitor`,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "cert-manager", namespace: metrics.namespace, labels },
      spec: { selector: { matchLabels: metrics.serviceSelector }, endpoints: [{ port: metrics.port, interval: "60s" }] },
    },
    opts,
  );
  new k8s.apiextensions.CustomResource(
    `${name}-certificates-rule`,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "certificates", namespace: settings.namespace, labels },
      spec: { groups: [{ name: "certificates", rules: CERTIFICATE_ALERTS }] },
    },
    opts,
  );
}
