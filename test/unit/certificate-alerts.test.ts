/**
 * Every Certificate is watched: Let's Encrypt sends no expiry e-mail any more, so Prometheus scrapes cert-manager's
 * controller and alerts on certificates that are not ready, overdue for renewal or close to expiring. The monitor
 * selects the Service the pinned cert-manager chart renders with the program's own values.
 */
import { CERT_MANAGER_METRICS } from "../../components/cert-manager";
import { archivePath } from "../../lib/chart-mirror";
import { CHARTS } from "../../lib/versions";
import { EKS_STACKS } from "../../mock-engine";
import { collect } from "../../scripts/verify/collect";
import { renderChart } from "../../scripts/verify/helm";
import { DEFAULT_MIRROR_DIR } from "../../scripts/verify/mirror";
import { missingTools, withTools } from "../../scripts/verify/tools";
import { inCi } from "../e2e/support/toolchain";
import { runsBeforeAll } from "../stack-runs";

const MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const runs = runsBeforeAll(EKS_STACKS);

describe.each(EKS_STACKS)("%s", (stack) => {
  test("cert-manager's controller is scraped from its own namespace, once the monitoring CRDs exist", () => {
    const run = runs[stack];
    const monitor = run.one(MONITOR, "monitoring-certificates-monitor");
    expect(monitor.inputs.metadata).toMatchObject({ name: "cert-manager", namespace: "cert-manager" });
    expect(monitor.inputs.spec).toEqual({
      selector: { matchLabels: CERT_MANAGER_METRICS.serviceSelector },
      endpoints: [{ port: "http-metrics", interval: "60s" }],
    });
    expect(monitor.dependencies).toContain(run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack").urn);
  });

  test("a Certificate not ready for an hour, or a day past its renewal, warns; one with under three days left is critical", () => {
    const rule = runs[stack].one(RULE, "monitoring-certificates-rule").inputs;
    expect(rule.metadata.namespace).toBe("monitoring");
    const rules = rule.spec.groups[0].rules as { alert: string; expr: string; labels: { severity: string } }[];
    expect(rules.map((r) => [r.alert, r.labels.severity])).toEqual([
      ["CertificateNotReady", "warning"],
      ["CertificateRenewalOverdue", "warning"],
      ["CertificateExpiresSoon", "critical"],
    ]);
    expect(rules[0].expr).toContain('certmanager_certificate_ready_status{condition!="True"}');
    // A Certificate never issued reports 0 for both times: left to CertificateNotReady, not paged as long expired.
    expect(rules[1].expr).toContain("time() - (certmanager_certificate_renewal_timestamp_seconds > 0)) > 86400");
    expect(rules[2].expr).toContain("(certmanager_certificate_expiration_timestamp_seconds > 0) - time()) < 3 * 86400");
  });
});

const env = withTools(process.env);
const helmMissing = missingTools(["helm"], env).length > 0;
if (helmMissing && !inCi()) console.warn("CERT-MANAGER SERVICE RENDERING SKIPPED: no helm in .toolchain/bin or on PATH");

(helmMissing && !inCi() ? test.skip : test)(
  "the monitor's selector and port are those of the Service the pinned chart renders",
  async () => {
    const declared = collect(runs.prod).charts.find((chart) => chart.releaseName === "cert-manager")!;
    const archive = archivePath(DEFAULT_MIRROR_DIR, CHARTS.certManager.chart, CHARTS.certManager.version);
    const objects = await renderChart({ ...declared, chart: archive, repo: undefined }, { kubeVersion: "v1.33.13", apiVersions: [] }, env);
    const selected = objects.filter(
      (o) =>
        o.kind === "Service" &&
        Object.entries(CERT_MANAGER_METRICS.serviceSelector).every(([key, value]) => o.metadata.labels?.[key] === value),
    );
    expect(selected.map((o) => [o.metadata.name, o.spec])).toEqual([
      ["cert-manager", expect.objectContaining({ ports: [{ protocol: "TCP", port: 9402, name: CERT_MANAGER_METRICS.port }] })],
    ]);
  },
);
