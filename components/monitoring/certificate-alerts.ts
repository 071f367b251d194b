/**
 * Certificates watched by Prometheus: Let's Encrypt sends no expiry e-mail since 2025-06-04 (letsencrypt.org,
 * "Ending Expiration Notification Emails"), so a renewal that keeps failing is seen here or at the outage. The
 * alerts hold for any lifetime: Let's Encrypt's certificates shrink to 64 days in 2027 and 45 in 2028, teams may
 * ask for shorter ones, and cert-manager renews at two thirds of each one's life (`pkg/util/pki/renewaltime.go`).
 * The program writes the monitor itself: the chart's own would need the monitoring CRDs, which come after
 * cert-manager (monitoring's webhook certificate is cert-manager's).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Where cert-manager's controller serves its metrics: a Service of the chart, selected by its labels. */
export interface CertificateMetrics {
  readonly namespace: string;
  readonly serviceSelector: Record<string, string>;
  readonly port: string;
}

const DAY = 86400;

/**
 * cert-manager's metrics carry each Certificate's namespace as `namespace`, which the target's own label takes
 * over: Prometheus keeps the metric's as `exported_namespace` (honorLabels is off). A Certificate never issued
 * reports 0 for its renewal and expiry times (v1.21 `certificate_collector.go`): those series are left out here,
 * CertificateNotReady covers them.
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
    alert: "CertificateRenewalOverdue",
    expr: `min by (exported_namespace, name) (time() - (certmanager_certificate_renewal_timestamp_seconds > 0)) > ${DAY}`,
    for: "1h",
    labels: { severity: "warning" },
    annotations: {
      summary: "Certificate {{ $labels.exported_namespace }}/{{ $labels.name }} was due for renewal a day ago or more.",
      description: "cert-manager keeps retrying with back-off; its events on the Certificate say why renewal fails.",
    },
  },
  {
    alert: "CertificateExpiresSoon",
    expr: `min by (exported_namespace, name) ((certmanager_certificate_expiration_timestamp_seconds > 0) - time()) < 3 * ${DAY}`,
    for: "1h",
    labels: { severity: "critical" },
    annotations: {
      summary: "Certificate {{ $labels.exported_namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}.",
      description: "Its renewal has been failing: whatever serves it stops being trusted when it expires.",
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
