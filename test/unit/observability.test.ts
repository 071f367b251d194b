import { ConfigError } from "../../config/load";
import { CHARTS, IMAGES } from "../../lib/versions";
import { EKS_STACKS, readStackConfig, readTestSecrets, RecordedResource, runStack, StackConfig, StackRun } from "../../mock-engine";
import { defaultHubOutputs } from "../../mock-engine/provider-answers";
import { runsBeforeAll } from "../stack-runs";

type Stack = (typeof EKS_STACKS)[number];

const DOMAIN = "platform.example.com";
/** Workload stacks sign in through the hub's Dex (the StackReference mock); admin through its own. */
const ISSUERS: Record<Stack, string> = {
  e2e: String(defaultHubOutputs.dexIssuerUrl),
  stage: String(defaultHubOutputs.dexIssuerUrl),
  prod: String(defaultHubOutputs.dexIssuerUrl),
  admin: `https://dex.admin.${DOMAIN}`,
};
const ES_HOST = "logging-es-http.logging.svc";
const NAMESPACES = { monitoring: "privileged", logging: "baseline", "logging-agents": "privileged" } as const;

const runs = runsBeforeAll(EKS_STACKS);

const observability = (stack: Stack) => readStackConfig(stack)["platform:observability"];
const ofComponent = (run: StackRun, component: "monitoring" | "logging") =>
  run.resources.filter((r) =>
    r.parent?.split("::")[2]?.endsWith(`platform:${component}:${component[0].toUpperCase()}${component.slice(1)}`),
  );
const one = (run: StackRun, type: string, name: string): RecordedResource => run.one(type, name);
const chart = (run: StackRun, name: string) => one(run, "kubernetes:helm.sh/v4:Chart", name).inputs;
const stackValues = (run: StackRun) => chart(run, "monitoring-stack").values;
const secretData = (run: StackRun, name: string) => one(run, "kubernetes:core/v1:Secret", name).inputs.stringData;

describe.each(EKS_STACKS)("%s", (stack) => {
  let run: StackRun;
  beforeAll(() => {
    run = runs[stack];
  });

  test("every chart is pinned to its entry in lib/versions.ts", () => {
    const pinned: [string, keyof typeof CHARTS][] = [
      ["monitoring-stack", "kubePrometheusStack"],
      ["logging-eck-operator", "eckOperator"],
      ["logging-oauth2-proxy", "oauth2Proxy"],
      ["logging-fluent-bit", "fluentBit"],
      ["logging-fluent-bit-events", "fluentBit"],
    ];
    for (const [name, key] of pinned) {
      const { chart: chartName, version, repositoryOpts } = chart(run, name);
      expect([chartName, version, repositoryOpts.repo]).toEqual([CHARTS[key].chart, CHARTS[key].version, CHARTS[key].repo]);
    }
    for (const kind of ["elasticsearch.k8s.elastic.co/v1:Elasticsearch", "kibana.k8s.elastic.co/v1:Kibana"]) {
      expect(run.ofType(`kubernetes:${kind}`).map((r) => r.inputs.spec.version)).toEqual([IMAGES.elasticStack]);
    }
  });

  test("Prometheus: replicas, retention, gp3 storage and memory from config; every namespace's monitors selected; default rules on", () => {
    const config = observability(stack).monitoring.prometheus;
    const { prometheus } = stackValues(run);
    expect(prometheus.prometheusSpec).toMatchObject({
      replicas: config.replicas,
      retention: config.retention,
      retentionSize: `${Math.floor(config.storageGiB * 0.85)}GB`,
      storageSpec: {
        volumeClaimTemplate: {
          spec: { storageClassName: "gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${config.storageGiB}Gi` } } },
        },
      },
      resources: { requests: { memory: config.memory }, limits: { memory: config.memory } },
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      probeSelectorNilUsesHelmValues: false,
      scrapeConfigSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
    });
    expect(prometheus.prometheusSpec.serviceMonitorNamespaceSelector).toBeUndefined();
    expect(prometheus.podDisruptionBudget).toEqual({ enabled: config.replicas > 1 });
    expect(stackValues(run).defaultRules.create).toBe(true);
  });

  test("Alertmanager: replicas and storage from config, each receiver reading its secret from the mounted Secret", () => {
    const config = observability(stack).monitoring.alertmanager;
    const { alertmanager } = stackValues(run);
    expect(alertmanager.alertmanagerSpec).toMatchObject({
      replicas: config.replicas,
      storage: {
        volumeClaimTemplate: { spec: { storageClassName: "gp3", resources: { requests: { storage: `${config.storageGiB}Gi` } } } },
      },
      secrets: ["alertmanager-receivers"],
    });
    const field = {
      slack: ["slack_configs", "api_url_file"],
      pagerduty: ["pagerduty_configs", "routing_key_file"],
      webhook: ["webhook_configs", "url_file"],
    } as const;
    const expected = config.receivers.map((r: { name: string; type: keyof typeof field }) => ({
      name: r.name,
      [field[r.type][0]]: [{ [field[r.type][1]]: `/etc/alertmanager/secrets/alertmanager-receivers/${r.name}`, send_resolved: true }],
    }));
    expect(alertmanager.config.receivers).toEqual([{ name: "null" }, ...expected]);
    expect(alertmanager.config.route.receiver).toBe("null");
    expect(alertmanager.config.route.routes).toEqual([
      { receiver: "null", matchers: ['alertname = "Watchdog"'] },
      ...config.receivers.map((r: { name: string; severities: string[] }) => ({
        receiver: r.name,
        matchers: [`severity =~ "${r.severities.join("|")}"`],
        continue: true,
      })),
    ]);
    const receiverSecrets = readTestSecrets(stack)["platform:alertReceiverSecrets"];
    expect(secretData(run, "monitoring-alert-receivers")).toEqual(
      Object.fromEntries(config.receivers.map((r: { name: string }) => [r.name, receiverSecrets[r.name]])),
    );
  });

  test("Grafana signs in through Dex as grafana-<env>; its secrets are referenced, not in the values", () => {
    const { grafana } = stackValues(run);
    const issuer = ISSUERS[stack];
    expect(grafana["grafana.ini"]).toEqual({
      server: { root_url: `https://grafana.${stack}.${DOMAIN}` },
      "auth.generic_oauth": {
        enabled: true,
        name: "Dex",
        allow_sign_up: true,
        client_id: `grafana-${stack}`,
        scopes: "openid email profile groups",
        auth_url: `${issuer}/auth`,
        token_url: `${issuer}/token`,
        api_url: `${issuer}/userinfo`,
        use_pkce: true,
        groups_attribute_path: '"groups"',
        allowed_groups: ["platform-infra", "platform-auditors"],
        role_attribute_path: `contains("groups"[*], 'platform-infra') && 'Admin' || (contains("groups"[*], 'platform-auditors')) && 'Viewer'`,
        role_attribute_strict: true,
      },
    });
    expect(grafana.replicas).toBe(observability(stack).monitoring.grafana.replicas);
    expect(grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
    expect(grafana.envValueFrom).toEqual({
      GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: "grafana-oidc", key: "client-secret" } },
    });
    expect(grafana.ingress).toMatchObject({ enabled: true, ingressClassName: "alb-platform", hosts: [`grafana.${stack}.${DOMAIN}`] });
    const secrets = readTestSecrets(stack);
    expect(secretData(run, "monitoring-grafana-admin")).toEqual({
      "admin-user": "admin",
      "admin-password": secrets["platform:grafanaAdminPassword"],
    });
    expect(secretData(run, "monitoring-grafana-oidc")).toEqual({
      "client-secret": secrets["platform:oidcClientSecrets"][`grafana-${stack}`],
    });
  });

  test("Elasticsearch: node count, memory and gp3 storage from config, spread over zones when it has several nodes", () => {
    const config = observability(stack).logging.elasticsearch;
    const es = one(run, "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "logging-elasticsearch");
    const [nodeSet] = es.inputs.spec.nodeSets;
    expect(nodeSet.count).toBe(config.nodes);
    expect(nodeSet.podTemplate.spec.containers[0].resources).toMatchObject({
      requests: { memory: config.memory },
      limits: { memory: config.memory },
    });
    expect(nodeSet.volumeClaimTemplates).toEqual([
      {
        metadata: { name: "elasticsearch-data" },
        spec: { storageClassName: "gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${config.storageGiB}Gi` } } },
      },
    ]);
    expect(es.inputs.spec.auth.fileRealm).toEqual([{ secretName: "es-user-fluent-bit" }, { secretName: "es-user-kibana-viewer" }]);
    const spread = nodeSet.podTemplate.spec.topologySpreadConstraints;
    if (config.nodes > 1) {
      expect(spread).toEqual([
        expect.objectContaining({ topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" }),
      ]);
      expect(nodeSet.config["cluster.routing.allocation.awareness.attributes"]).toBe("k8s_node_name,zone");
      expect(es.inputs.metadata.annotations).toEqual({ "eck.k8s.elastic.co/downward-node-labels": "topology.kubernetes.io/zone" });
    } else {
      expect(spread).toEqual([]);
    }
    const protect = readStackConfig(stack)["platform:environment"].protectStatefulResources;
    expect(es.protect).toBe(protect);
    expect(es.inputs.spec.volumeClaimDeletePolicy).toBe(protect ? "DeleteOnScaledownOnly" : "DeleteOnScaledownAndClusterDeletion");
  });

  test("index lifecycle deletes log and event indices after the configured days", () => {
    const { retentionDays, elasticsearch } = observability(stack).logging;
    const job = one(run, "kubernetes:batch/v1:Job", "logging-index-lifecycle").inputs;
    const env = Object.fromEntries(
      job.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]),
    );
    expect(JSON.parse(env.POLICY_BODY).policy.phases.delete).toEqual({ min_age: `${retentionDays}d`, actions: { delete: {} } });
    expect(JSON.parse(env.TEMPLATE_BODY)).toMatchObject({
      index_patterns: ["k8s-logs-*", "k8s-events-*"],
      template: { settings: { "index.lifecycle.name": "k8s-retention", "index.number_of_replicas": elasticsearch.nodes > 1 ? 1 : 0 } },
    });
    expect(env.ES_HOST).toBe(ES_HOST);
  });

  test("Fluent Bit ships every node's container logs and the cluster's events to this environment's Elasticsearch", () => {
    const logs = chart(run, "logging-fluent-bit");
    const events = chart(run, "logging-fluent-bit-events");
    expect(logs.values).toMatchObject({ kind: "DaemonSet", tolerations: [{ operator: "Exists" }] });
    // Every node but a Fargate one (admin's platform runners), which runs no DaemonSet pod: one bound there stays Pending.
    expect(logs.values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["fargate"] }] },
    ]);
    expect(logs.values.config.inputs).toMatch(/Name tail\n\s+Path \/var\/log\/containers\/\*\.log/);
    expect(logs.values.config.filters).toMatch(/Name kubernetes\n/);
    expect(events.values).toMatchObject({ kind: "Deployment", replicaCount: 1, rbac: { eventsAccess: true } });
    expect(events.values.config.inputs).toMatch(/Name kubernetes_events\n/);
    for (const [values, prefix] of [
      [logs.values, "k8s-logs"],
      [events.values, "k8s-events"],
    ]) {
      const output = values.config.outputs as string;
      expect(output).toMatch(new RegExp(`\\n\\s+Host ${ES_HOST.replace(/\./g, "\\.")}\\n\\s+Port 9200\\n`));
      expect(output).toMatch(new RegExp(`\\n\\s+Logstash_Prefix ${prefix}\\n`));
      expect(output).toMatch(/HTTP_User fluent-bit\n\s+HTTP_Passwd \$\{ES_PASSWORD\}\n/);
      expect(values.env).toEqual([
        { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: "fluent-bit-elasticsearch", key: "password" } } },
      ]);
    }
    expect(secretData(run, "logging-fluent-bit-credentials").password).toBe(secretData(run, "logging-es-user-fluent-bit").password);
  });

  test("Kibana sits behind oauth2-proxy, which signs in through Dex as kibana-<env>, and only the proxy reaches it", () => {
    const proxy = chart(run, "logging-oauth2-proxy").values;
    expect(proxy.extraArgs).toMatchObject({
      provider: "oidc",
      "oidc-issuer-url": ISSUERS[stack],
      "redirect-url": `https://kibana.${stack}.${DOMAIN}/oauth2/callback`,
    });
    expect(proxy.config).toEqual({
      existingSecret: "kibana-oauth2-proxy",
      configFile: expect.stringContaining('upstreams = [ "http://logging-kb-http.logging.svc:5601" ]'),
    });
    expect(proxy.ingress).toMatchObject({ enabled: true, className: "alb-platform", hosts: [`kibana.${stack}.${DOMAIN}`] });
    // Awaited long enough for a Dex created by the same update to answer its discovery request (admin's first deploy).
    expect(proxy.deploymentAnnotations).toEqual({ "pulumi.com/timeoutSeconds": "1200" });
    const clientSecret = readTestSecrets(stack)["platform:oidcClientSecrets"][`kibana-${stack}`];
    expect(secretData(run, "logging-oauth2-proxy")).toMatchObject({ "client-id": `kibana-${stack}`, "client-secret": clientSecret });

    const kibana = one(run, "kubernetes:kibana.k8s.elastic.co/v1:Kibana", "logging-kibana").inputs.spec;
    expect(kibana.count).toBe(observability(stack).logging.kibana.replicas);
    expect(kibana.elasticsearchRef).toEqual({ name: "logging" });
    expect(kibana.config["server.publicBaseUrl"]).toBe(`https://kibana.${stack}.${DOMAIN}`);
    expect(kibana.config["xpack.security.authc.providers"]["anonymous.anonymous1"]).toEqual({
      order: 0,
      credentials: { username: "kibana-viewer" },
    });
    expect(kibana.secureSettings).toEqual([
      {
        secretName: "es-user-kibana-viewer",
        entries: [{ key: "password", path: "xpack.security.authc.providers.anonymous.anonymous1.credentials.password" }],
      },
    ]);
    const policy = one(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "logging-kibana-ingress").inputs;
    expect(policy.metadata.namespace).toBe("logging");
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { "kibana.k8s.elastic.co/name": "logging" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: proxy.podLabels } }], ports: [{ protocol: "TCP", port: 5601 }] }],
    });
  });

  test("every workload is in its own platform namespace with the baseline, through the cluster provider", () => {
    const namespaces = run.ofType("kubernetes:core/v1:Namespace").filter((r) => r.inputs.metadata.name in NAMESPACES);
    expect(namespaces.map((n) => n.inputs.metadata.name).sort()).toEqual(Object.keys(NAMESPACES).sort());
    for (const ns of namespaces) {
      const name = ns.inputs.metadata.name as keyof typeof NAMESPACES;
      expect(ns.inputs.metadata.labels).toMatchObject({
        "platform.example.io/environment": stack,
        "pod-security.kubernetes.io/enforce": NAMESPACES[name],
        "pod-security.kubernetes.io/warn": "restricted",
      });
      expect(run.ofType("kubernetes:core/v1:LimitRange").some((r) => r.inputs.metadata.namespace === name)).toBe(true);
    }
    // Reads (the Elasticsearch CA the logging component copies) are ECK's objects, not the program's.
    const mine = [...ofComponent(run, "monitoring"), ...ofComponent(run, "logging")].filter(
      (r) => r.type !== "kubernetes:core/v1:Namespace" && !r.read,
    );
    expect(new Set(mine.map((r) => r.type.replace(/^kubernetes:/, "")))).toEqual(
      new Set([
        "core/v1:LimitRange",
        "core/v1:Secret",
        "helm.sh/v4:Chart",
        "elasticsearch.k8s.elastic.co/v1:Elasticsearch",
        "kibana.k8s.elastic.co/v1:Kibana",
        "networking.k8s.io/v1:NetworkPolicy",
        "batch/v1:Job",
        "rbac.authorization.k8s.io/v1:ClusterRole",
        "monitoring.coreos.com/v1:ServiceMonitor",
        "monitoring.coreos.com/v1:PrometheusRule",
      ]),
    );
    // The kubelet's, the API server's and cert-manager's monitors live next to their Services.
    const elsewhere = {
      "monitoring-kubelet-monitor": "kube-system",
      "monitoring-apiserver-monitor": "default",
      "monitoring-certificates-monitor": "cert-manager",
    };
    for (const r of mine.filter((r) => r.type !== "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")) {
      const namespace = r.inputs.namespace ?? r.inputs.metadata?.namespace;
      if (r.name in elsewhere) expect(namespace).toBe(elsewhere[r.name as keyof typeof elsewhere]);
      else expect(Object.keys(NAMESPACES)).toContain(namespace);
    }
    const providers = new Set(mine.map((r) => r.provider));
    expect(providers.size).toBe(1);
    expect(run.byUrn([...providers][0]!).type).toBe("pulumi:providers:kubernetes");
  });

  test("no secret value appears in any chart's values", () => {
    const secrets = readTestSecrets(stack);
    const values = [
      ...run.ofType("kubernetes:helm.sh/v4:Chart").map((c) => c.inputs.values),
      ...run.ofType("kubernetes:kibana.k8s.elastic.co/v1:Kibana").map((r) => r.inputs.spec),
    ];
    const secretValues = [
      secrets["platform:grafanaAdminPassword"],
      ...Object.values(secrets["platform:alertReceiverSecrets"] ?? {}),
      ...Object.values(secrets["platform:oidcClientSecrets"] ?? {}),
      secretData(run, "logging-es-user-fluent-bit").password,
      secretData(run, "logging-es-user-kibana-viewer").password,
      secretData(run, "logging-oauth2-proxy")["cookie-secret"],
    ] as string[];
    const rendered = JSON.stringify(values);
    for (const secret of secretValues) expect(rendered).not.toContain(secret);
  });
});

test("prod is highly available: two Prometheus, three Alertmanagers and three Elasticsearch nodes across zones", () => {
  const run = runs.prod;
  const { prometheus, alertmanager } = stackValues(run);
  expect([prometheus.prometheusSpec.replicas, alertmanager.alertmanagerSpec.replicas]).toEqual([2, 3]);
  expect([prometheus.podDisruptionBudget.enabled, alertmanager.podDisruptionBudget.enabled]).toEqual([true, true]);
  const [nodeSet] = one(run, "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "logging-elasticsearch").inputs.spec.nodeSets;
  expect(nodeSet.count).toBe(3);
  expect(nodeSet.podTemplate.spec.topologySpreadConstraints[0].topologyKey).toBe("topology.kubernetes.io/zone");
});

test("e2e runs Calico as CNI: the operator webhook is host-networked and load balancers target node ports", () => {
  const values = stackValues(runs.e2e);
  expect(values.prometheusOperator).toMatchObject({ hostNetwork: true, tls: { internalPort: 10261 } });
  expect(values.grafana.service).toEqual({ type: "NodePort" });
  expect(values.grafana.ingress.annotations["alb.ingress.kubernetes.io/target-type"]).toBe("instance");
  expect(stackValues(runs.prod).grafana.ingress.annotations["alb.ingress.kubernetes.io/target-type"]).toBe("ip");
  expect(stackValues(runs.prod).prometheusOperator).not.toHaveProperty("hostNetwork");
  expect(stackValues(runs.prod).prometheusOperator).not.toHaveProperty("tls");
});

test("local has no monitoring or logging resources", async () => {
  const run = await runStack("local");
  expect([...ofComponent(run, "monitoring"), ...ofComponent(run, "logging")]).toEqual([]);
  expect(run.resources.filter((r) => /platform:(monitoring|logging):/.test(r.type))).toEqual([]);
});

describe("observability config is checked before anything is deployed", () => {
  const cases: [what: string, stack: Stack, edit: (c: StackConfig, secrets: StackConfig) => void, expected: RegExp][] = [
    [
      "Kibana's Dex client secret missing",
      "stage",
      (_c, s) => delete s["platform:oidcClientSecrets"]["kibana-stage"],
      /platform:oidcClientSecrets\.kibana-stage = \[secret\]: expected a secret: the Dex client secret of kibana-stage/,
    ],
    [
      "Grafana's Dex client secret missing",
      "e2e",
      (_c, s) => delete s["platform:oidcClientSecrets"]["grafana-e2e"],
      /platform:oidcClientSecrets\.grafana-e2e = \[secret\]: expected a secret: the Dex client secret of grafana-e2e/,
    ],
    [
      "two Elasticsearch nodes",
      "stage",
      (c) => (c["platform:observability"].logging.elasticsearch.nodes = 2),
      /platform:observability\.logging\.elasticsearch\.nodes = 2: expected 1 or at least 3/,
    ],
    [
      "a single Prometheus in prod",
      "prod",
      (c) => (c["platform:observability"].monitoring.prometheus.replicas = 1),
      /platform:observability\.monitoring\.prometheus\.replicas = 1: expected at least 2 in prod/,
    ],
    [
      "two Alertmanagers in prod",
      "prod",
      (c) => (c["platform:observability"].monitoring.alertmanager.replicas = 2),
      /platform:observability\.monitoring\.alertmanager\.replicas = 2: expected at least 3 in prod/,
    ],
    [
      "a receiver named like the catch-all",
      "admin",
      (c) => (c["platform:observability"].monitoring.alertmanager.receivers[0].name = "null"),
      /platform:observability\.monitoring\.alertmanager\.receivers\[0\]\.name = "null": expected a name other than "null"/,
    ],
    [
      "monitoring without cert-manager, which issues the operator's webhook certificate",
      "stage",
      (c) => (c["platform:services"].certManager = { enabled: false }),
      /platform:services\.certManager\.enabled = false: expected true where observability\.monitoring is enabled/,
    ],
    [
      "two receivers of one name",
      "prod",
      (c) => (c["platform:observability"].monitoring.alertmanager.receivers[1].name = "pagerduty"),
      /platform:observability\.monitoring\.alertmanager\.receivers\[1\]\.name = "pagerduty": expected a receiver name not used by another receiver/,
    ],
  ];

  test.each(cases)("%s", async (_what, stack, edit, expected) => {
    const secrets = structuredClone(readTestSecrets(stack));
    const error = await runStack(stack, { configure: (c) => edit(c, secrets), secrets }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(expected);
  });

  test("monitoring on an existing cluster, which has no gp3 StorageClass", async () => {
    const enable = (c: StackConfig) => (c["platform:observability"].monitoring = observability("e2e").monitoring);
    const error = await runStack("local", { configure: enable }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/platform:observability\.monitoring\.enabled = true: expected false on an existing cluster/);
  });
});
