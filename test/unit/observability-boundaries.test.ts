/**
 * What a team can make the shared observability services do: Prometheus scrapes for a team only in the team's
 * namespace and never with a credential file; Grafana reads no Secret and signs in only the groups allowed;
 * teams reach neither Prometheus, Alertmanager, Elasticsearch nor Kibana except through the dashboards' logins.
 */
import { EKS_STACKS, readStackConfig, RecordedResource, runStack, StackConfig, StackRun } from "../../mock-engine";
import { runsBeforeAll } from "../stack-runs";

const runs = runsBeforeAll(EKS_STACKS);

const chartValues = (run: StackRun, name: string) => run.one("kubernetes:helm.sh/v4:Chart", name).inputs.values;
const monitors = (run: StackRun) => run.ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
const FILE_FIELDS = ["bearerTokenFile", "caFile", "certFile", "keyFile", "credentialsFile", "passwordFile"];
const fileFieldsIn = (value: unknown): string[] =>
  value && typeof value === "object"
    ? Object.entries(value).flatMap(([k, v]) => [...(FILE_FIELDS.includes(k) ? [k] : []), ...fileFieldsIn(v)])
    : [];

describe.each(EKS_STACKS)("%s: Prometheus", (stack) => {
  test("scopes each team's monitors to the team's namespace, refuses credential files, takes ScrapeConfigs from its own namespace only", () => {
    const values = chartValues(runs[stack], "monitoring-stack");
    expect(values.prometheus.prometheusSpec).toMatchObject({
      arbitraryFSAccessThroughSMs: { deny: true },
      ignoreNamespaceSelectors: true,
      scrapeConfigNamespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
    });
    // Teams' AlertmanagerConfigs route only their own namespace's alerts.
    expect(values.alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy).toEqual({ type: "OnNamespace" });
  });

  test("its token goes only to the kubelets and the API server, through a class whose first relabeling keeps only their namespaces", () => {
    const run = runs[stack];
    const values = chartValues(run, "monitoring-stack");
    const classes = values.prometheus.prometheusSpec.scrapeClasses;
    expect(classes).toHaveLength(1);
    const [credentials] = classes;
    expect(credentials.default).toBeUndefined();
    expect(credentials.authorization).toEqual({ type: "Bearer", credentialsFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" });
    expect(credentials.relabelings[0]).toEqual({
      action: "keep",
      sourceLabels: ["__meta_kubernetes_namespace"],
      regex: "kube-system|default",
    });
    // The chart's own monitors that name the token file are off; the program's name the class, and no file.
    expect(values.kubelet.serviceMonitor.enabled).toBe(false);
    expect(values.kubeApiServer.serviceMonitor.enabled).toBe(false);
    expect(values.coreDns.serviceMonitor.bearerTokenFile).toBe("");
    const classed = monitors(run).filter((m) => m.inputs.spec.scrapeClass === credentials.name);
    const scopes = classed.map((m) => [m.inputs.metadata.namespace, m.inputs.spec.namespaceSelector.matchNames]);
    expect(scopes.sort()).toEqual([
      ["default", ["default"]],
      ["kube-system", ["kube-system"]],
    ]);
    for (const monitor of monitors(run)) expect(fileFieldsIn(monitor.inputs.spec)).toEqual([]);
  });
});

describe.each(EKS_STACKS)("%s: Grafana", (stack) => {
  test("its sidecars read ConfigMaps only, and its service account is bound to a ClusterRole without Secrets", () => {
    const run = runs[stack];
    const { grafana } = chartValues(run, "monitoring-stack");
    expect(grafana.sidecar.dashboards).toEqual({ resource: "configmap" });
    expect(grafana.sidecar.datasources).toEqual({ resource: "configmap" });
    const role = run.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "monitoring-grafana-configmaps").inputs;
    expect(grafana.rbac).toEqual({ useExistingClusterRole: role.metadata.name });
    expect(role.rules).toEqual([{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]);
  });

  test("signs in the infra group as Admin and the auditor group as Viewer, and nobody else", () => {
    const identity = readStackConfig(stack)["platform:identity"];
    const oauth = chartValues(runs[stack], "monitoring-stack").grafana["grafana.ini"]["auth.generic_oauth"];
    expect(oauth).toMatchObject({
      groups_attribute_path: '"groups"',
      allowed_groups: [identity.infraGroup, identity.auditorGroup],
      role_attribute_strict: true,
    });
    // Each role is the value of a membership test: someone in no listed group gets `false`, which is no role.
    expect(oauth.role_attribute_path).toBe(
      `contains("groups"[*], '${identity.infraGroup}') && 'Admin' || (contains("groups"[*], '${identity.auditorGroup}')) && 'Viewer'`,
    );
  });
});

test("Grafana's viewer groups come from config, quoted for JMESPath", async () => {
  const configure = (c: StackConfig) => {
    c["platform:observability"].monitoring.grafana.viewerGroups = ["sre-viewers", "O'Brien team"];
    c["platform:identity"].oidc.groupsClaim = "memberOf";
  };
  const run = await runStack("stage", { configure });
  const oauth = chartValues(run, "monitoring-stack").grafana["grafana.ini"]["auth.generic_oauth"];
  expect(oauth.allowed_groups).toEqual(["platform-infra", "platform-auditors", "sre-viewers", "O'Brien team"]);
  expect(oauth.groups_attribute_path).toBe('"memberOf"');
  expect(oauth.role_attribute_path).toBe(
    `contains("memberOf"[*], 'platform-infra') && 'Admin' || (contains("memberOf"[*], 'platform-auditors') || ` +
      `contains("memberOf"[*], 'sre-viewers') || contains("memberOf"[*], 'O\\'Brien team')) && 'Viewer'`,
  );
});

/**
 * Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), for the selectors these policies use: a pod selected
 * by no ingress policy takes any connection; a selected one only those some rule of some selecting policy allows.
 * Connections from a pod's own node (kubelet probes) are always allowed and are not modelled here.
 */
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
const selects = (selector: Selector, labels: Record<string, string>) =>
  Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) =>
    operator === "Exists"
      ? key in labels
      : operator === "DoesNotExist"
        ? !(key in labels)
        : operator === "In"
          ? values.includes(labels[key])
          : !values.includes(labels[key]),
  );

/** Where a connection comes from: a pod, or an address outside any pod (the API server, a load balancer). */
type Source = { namespace: string; labels: Record<string, string> } | "outside";
interface Destination {
  namespace: string;
  labels: Record<string, string>;
  port: number;
}

function admitted(policies: RecordedResource[], from: Source, to: Destination): boolean {
  const selecting = policies
    .map((p) => ({ namespace: p.inputs.metadata.namespace as string, spec: p.inputs.spec }))
    .filter((p) => p.namespace === to.namespace && p.spec.policyTypes.includes("Ingress") && selects(p.spec.podSelector, to.labels));
  if (selecting.length === 0) return true;
  const peerMatches = (peer: { podSelector?: Selector; namespaceSelector?: Selector }, policyNamespace: string) => {
    if (from === "outside") return false;
    const namespaceLabels = { "kubernetes.io/metadata.name": from.namespace };
    const inNamespace = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels) : from.namespace === policyNamespace;
    return inNamespace && (!peer.podSelector || selects(peer.podSelector, from.labels));
  };
  return selecting.some(({ namespace, spec }) =>
    (spec.ingress ?? []).some(
      (rule: { from?: object[]; ports?: { port: number }[] }) =>
        (!rule.ports || rule.ports.some((p) => p.port === to.port)) &&
        (!rule.from || rule.from.some((peer) => peerMatches(peer, namespace))),
    ),
  );
}

const pod = (namespace: string, labels: Record<string, string> = {}) => ({ namespace, labels });
const TEAM = pod("payments-prod", { app: "checkout" });
const PROMETHEUS = pod("monitoring", { "app.kubernetes.io/name": "prometheus", prometheus: "kube-prometheus-stack-prometheus" });
const ALERTMANAGER = pod("monitoring", { "app.kubernetes.io/name": "alertmanager", alertmanager: "kube-prometheus-stack-alertmanager" });
const GRAFANA = pod("monitoring", { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" });
const OPERATOR = pod("monitoring", { app: "kube-prometheus-stack-operator", release: "kube-prometheus-stack" });
const ELASTICSEARCH = pod("logging", { "elasticsearch.k8s.elastic.co/cluster-name": "logging" });
const KIBANA = pod("logging", { "kibana.k8s.elastic.co/name": "logging" });
const PROXY = pod("logging", { "platform.example.io/kibana-proxy": "true", "app.kubernetes.io/name": "oauth2-proxy" });
const ECK = pod("logging", { "control-plane": "elastic-operator" });
const FLUENT_BIT = pod("logging-agents", { "app.kubernetes.io/name": "fluent-bit" });
const at = (target: { namespace: string; labels: Record<string, string> }, port: number): Destination => ({ ...target, port });

describe.each(EKS_STACKS)("%s: who reaches the observability namespaces", (stack) => {
  const webhookPort = stack === "e2e" ? 10261 : 10250;
  const cases: [string, Source, Destination, boolean][] = [
    ["a team pod → Alertmanager's API (silences)", TEAM, at(ALERTMANAGER, 9093), false],
    ["a team pod → Prometheus", TEAM, at(PROMETHEUS, 9090), false],
    ["a team pod → Elasticsearch", TEAM, at(ELASTICSEARCH, 9200), false],
    ["a team pod → Kibana", TEAM, at(KIBANA, 5601), false],
    ["a team pod → Fluent Bit's HTTP server", TEAM, at(FLUENT_BIT, 2020), false],
    ["the load balancer → Alertmanager", "outside", at(ALERTMANAGER, 9093), false],
    ["Fluent Bit → Elasticsearch's transport port", FLUENT_BIT, at(ELASTICSEARCH, 9300), false],
    ["Fluent Bit → Kibana", FLUENT_BIT, at(KIBANA, 5601), false],
    ["Elasticsearch → Kibana (only the proxy)", ELASTICSEARCH, at(KIBANA, 5601), false],
    ["the load balancer → Grafana", "outside", at(GRAFANA, 3000), true],
    ["the load balancer → Kibana's login proxy", "outside", at(PROXY, 4180), true],
    ["a team pod → Grafana (the same login as through the load balancer)", TEAM, at(GRAFANA, 3000), true],
    ["the API server → the operator's admission webhook", "outside", at(OPERATOR, webhookPort), true],
    ["Prometheus → Alertmanager", PROMETHEUS, at(ALERTMANAGER, 9093), true],
    ["Grafana → Prometheus", GRAFANA, at(PROMETHEUS, 9090), true],
    ["Alertmanager ↔ Alertmanager (cluster mesh)", ALERTMANAGER, at(ALERTMANAGER, 9094), true],
    ["Fluent Bit → Elasticsearch", FLUENT_BIT, at(ELASTICSEARCH, 9200), true],
    ["Kibana → Elasticsearch", KIBANA, at(ELASTICSEARCH, 9200), true],
    ["the ECK operator → Elasticsearch", ECK, at(ELASTICSEARCH, 9200), true],
    ["the login proxy → Kibana", PROXY, at(KIBANA, 5601), true],
  ];
  test.each(cases)("%s", (_what, from, to, expected) => {
    const policies = runs[stack]
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .filter((p) => ["monitoring", "logging", "logging-agents"].includes(p.inputs.metadata.namespace));
    expect(admitted(policies, from, to)).toBe(expected);
  });
});
