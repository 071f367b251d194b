/**
 * kube-prometheus-stack as Helm renders it from the pinned archive with the values the program passes, hooks
 * included: what a helm.v4.Chart applies (it drops hooks, so the chart must need none), what Prometheus will
 * accept from it, and which alert rule groups it installs. Rendered with the real helm (the toolchain's, or PATH's).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { archivePath } from "../../lib/chart-mirror";
import { CHARTS } from "../../lib/versions";
import { DEFAULT_MIRROR_DIR } from "../../scripts/verify/mirror";
import { inCi } from "../e2e/support/toolchain";
import { runStack } from "../../mock-engine";
import { PROJECT_DIR } from "../../config/committed-stacks";

interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: any;
}

const TOOLCHAIN_BIN = path.join(PROJECT_DIR, ".toolchain", "bin");
const PATH_WITH_TOOLCHAIN = `${TOOLCHAIN_BIN}${path.delimiter}${process.env.PATH ?? ""}`;
const helmFound = PATH_WITH_TOOLCHAIN.split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, "helm")));
if (!helmFound && !inCi())
  console.warn("KUBE-PROMETHEUS-STACK RENDERING SKIPPED: no helm in .toolchain/bin or on PATH (scripts/toolchain.sh builds it)");

/**
 * `helm template` of the stack's kube-prometheus-stack Chart, hooks and CRDs included, as Helm would install it; and
 * the ServiceMonitors the program declares next to it.
 */
async function rendered(stack: "prod" | "e2e"): Promise<{ objects: KubeObject[]; monitors: KubeObject[] }> {
  const run = await runStack(stack);
  const monitors = run.ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor").map((r) => r.inputs as KubeObject);
  const chart = run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack").inputs;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kps-values-"));
  try {
    const valuesFile = path.join(dir, "values.json");
    fs.writeFileSync(valuesFile, JSON.stringify(chart.values));
    const { chart: name, version } = CHARTS.kubePrometheusStack;
    const stdout = execFileSync(
      "helm",
      [
        "template",
        chart.name,
        archivePath(DEFAULT_MIRROR_DIR, name, version),
        "--namespace",
        chart.namespace,
        "--values",
        valuesFile,
        "--include-crds",
      ],
      { env: { ...process.env, PATH: PATH_WITH_TOOLCHAIN }, maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] },
    ).toString();
    const objects = parseAllDocuments(stdout)
      .map((doc) => doc.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null);
    return { objects, monitors };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const FILE_FIELDS = /"(bearerTokenFile|caFile|certFile|keyFile|credentialsFile|passwordFile)"/;

/** Paths of `value` that `schema` (an OpenAPI v3 schema of a CRD) does not declare: the API server would refuse them. */
function undeclared(value: unknown, schema: any, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => undeclared(item, schema?.items, `${at}[${i}]`));
  if (!value || typeof value !== "object" || !schema?.properties || schema["x-kubernetes-preserve-unknown-fields"]) return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key in schema.properties ? undeclared(v, schema.properties[key], `${at}.${key}`) : [`${at}.${key}`],
  );
}

(!helmFound && !inCi() ? describe.skip : describe).each(["prod", "e2e"] as const)("%s: kube-prometheus-stack rendered", (stack) => {
  let objects: KubeObject[];
  let monitors: KubeObject[];
  beforeAll(async () => {
    ({ objects, monitors } = await rendered(stack));
  }, 120_000);
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);

  test("holds no Helm hook: the admission webhook's certificate comes from cert-manager, its CA injected into both webhooks", () => {
    expect(objects.filter((o) => Object.keys(o.metadata.annotations ?? {}).some((a) => a.startsWith("helm.sh/hook")))).toEqual([]);
    expect(ofKind("Job")).toEqual([]);
    expect(ofKind("Certificate").map((c) => c.spec.secretName)).toContain("kube-prometheus-stack-admission");
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
      const [webhooks] = ofKind(kind);
      expect(webhooks.metadata.annotations?.["cert-manager.io/inject-ca-from"]).toBe("monitoring/kube-prometheus-stack-admission");
      for (const hook of webhooks.webhooks) expect(hook.failurePolicy).toBe("Ignore");
    }
  });

  test("every ServiceMonitor it brings is accepted by a Prometheus that refuses credential files", () => {
    const [prometheus] = ofKind("Prometheus");
    expect(prometheus.spec.arbitraryFSAccessThroughSMs).toEqual({ deny: true });
    const refused = ofKind("ServiceMonitor").filter((m) => FILE_FIELDS.test(JSON.stringify(m.spec.endpoints)));
    expect(refused.map((m) => m.metadata.name)).toEqual([]);
  });

  test("the monitors the program adds (kubelet, API server, cert-manager) use only fields of the chart's ServiceMonitor CRD", () => {
    const crd = ofKind("CustomResourceDefinition").find((c) => c.metadata.name === "servicemonitors.monitoring.coreos.com")!;
    const schema = crd.spec.versions.find((v: { name: string }) => v.name === "v1").schema.openAPIV3Schema.properties.spec;
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual([
      "cert-manager",
      "kube-prometheus-stack-apiserver",
      "kube-prometheus-stack-kubelet",
    ]);
    for (const monitor of monitors) expect(undeclared(monitor.spec, schema)).toEqual([]);
  });

  test("nothing for kube-proxy, etcd, the scheduler or the controller manager: no Service, monitor, rule or dashboard", () => {
    const names = objects.map((o) => `${o.kind} ${o.metadata.name}`);
    expect(
      names.filter((n) =>
        /kube-proxy|kube-etcd|kube-scheduler|kube-controller-manager|\b(proxy|etcd|scheduler|controller-manager)$/.test(n),
      ),
    ).toEqual([]);
  });

  test("where the cluster autoscaler sizes the nodes, the rendered rules hold no alert that judges capacity by them", () => {
    const alerts = ofKind("PrometheusRule").flatMap((r) => r.spec.groups.flatMap((g: { rules: { alert?: string }[] }) => g.rules));
    const names = alerts.map((rule: { alert?: string }) => rule.alert).filter((name): name is string => name !== undefined);
    expect(names).toContain("KubePodNotReady");
    expect(names.filter((name) => /Overcommit$/.test(name))).toEqual([]);
  });

  test("the default alert rule groups are those docs/observability.md lists as working on EKS", () => {
    const groups = ofKind("PrometheusRule").flatMap((r) => r.spec.groups.map((g: { name: string }) => g.name));
    const documented = fs.readFileSync(path.join(PROJECT_DIR, "docs", "observability.md"), "utf8");
    const installed = [...documented.matchAll(/^\| `([^`]+)` \| installed \|/gm)].map((m) => m[1]);
    expect(groups.sort()).toEqual(installed.sort());
  });

  test("Grafana's service account gets no ClusterRole of the chart (which would grant Secrets), only the program's", () => {
    expect(ofKind("ClusterRole").filter((r) => /grafana/.test(r.metadata.name))).toEqual([]);
    const bindings = ofKind("ClusterRoleBinding").filter((b) => /grafana/.test(b.metadata.name));
    expect(bindings.map((b) => b.roleRef.name)).toEqual(["monitoring-grafana-configmaps"]);
    expect(ofKind("Role").filter((r) => /grafana/.test(r.metadata.name))).toEqual([]);
  });

  test("no ClusterRole of the chart but the operator's reads Secrets (kube-state-metrics collects no Secret metrics)", () => {
    const readsSecrets = (role: KubeObject) =>
      role.rules.some((r: { resources?: string[] }) => r.resources?.some((resource) => resource === "secrets" || resource === "*"));
    expect(
      ofKind("ClusterRole")
        .filter(readsSecrets)
        .map((r) => r.metadata.name),
    ).toEqual(["kube-prometheus-stack-operator"]);
  });
});
