/**
 * Values that pass a type check and would fail at deploy time: AWS, EKS and Kubernetes limits (tag values, log
 * retention, labels and taints, volume sizes, cron fields) and relations between values (requests and limits, a
 * minimum above its maximum). Each is one message naming the stack, the key path and the value, before any
 * resource. Addresses and values copied between environments are config-identifiers.test.ts, an existing
 * cluster's kubeconfig config-kubeconfig.test.ts.
 */
import { runStack, StackConfig } from "../../mock-engine";
import { admin, pool, tenancy, testCases } from "./config-cases";

describe("AWS tag values (owner, cost centre): 256 characters, the characters every service accepts, no aws: prefix", () => {
  testCases([
    [
      "too long",
      "prod",
      (c) => (c["platform:environment"].owner = `infra-${"x".repeat(251)}@example.com`),
      /platform:environment\.owner = "infra-x+\.\.\.: expected at most 256 characters: it becomes an AWS tag value/,
    ],
    [
      "a character IAM refuses",
      "prod",
      (c) => (c["platform:environment"].owner = "Infra Team <infra@example.com>"),
      /platform:environment\.owner = "Infra Team <infra@example\.com>": expected letters, digits, spaces and \+ - = \. _ : \/ @ only/,
    ],
    [
      "the reserved prefix",
      "stage",
      (c) => (c["platform:environment"].costCentre = "aws:cc-4100"),
      /platform:environment\.costCentre = "aws:cc-4100": expected a value not starting with "aws:"/,
    ],
    [
      "a team's",
      "prod",
      (c) => (c["platform:teams"][1].costCentre = "cc#2200"),
      /platform:teams\[1\]\.costCentre = "cc#2200": expected letters, digits, spaces/,
    ],
  ]);
});

describe("CloudWatch Logs retention: only the periods AWS accepts", () => {
  testCases([
    [
      "control-plane logs",
      "prod",
      (c) => (c["platform:cluster"].logRetentionDays = 10),
      /platform:cluster\.logRetentionDays = 10: expected one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30/,
    ],
    [
      "Client VPN connection logs",
      "admin",
      (c) => (admin(c).vpn.connectionLogRetentionDays = 100),
      /platform:admin\.vpn\.connectionLogRetentionDays = 100: expected one of the retention periods/,
    ],
  ]);
});

describe("node labels and taints: Kubernetes label syntax and the EKS limits", () => {
  testCases([
    [
      "a label value with a space",
      "prod",
      (c) => (pool(c, 1).labels["platform.example.io/pool"] = "general purpose"),
      /nodePools\[1\]\.labels\["platform\.example\.io\/pool"\] = "general purpose": expected a label value of letters, digits, '-', '_' and '\.'/,
    ],
    [
      "a label value too long",
      "prod",
      (c) => (pool(c, 1).labels.tier = "t".repeat(64)),
      /nodePools\[1\]\.labels\.tier = "t+": expected a label value of at most 63 characters/,
    ],
    [
      "an empty label value",
      "prod",
      (c) => (pool(c, 1).labels.tier = ""),
      /nodePools\[1\]\.labels\.tier = "": expected a non-empty label value \(EKS refuses empty node group label values\)/,
    ],
    [
      "a label key in a reserved namespace",
      "prod",
      (c) => (pool(c, 1).labels["node-role.kubernetes.io/worker"] = "true"),
      /labels\["node-role\.kubernetes\.io\/worker"\] = "true": expected a label key outside the kubernetes\.io and k8s\.io prefixes/,
    ],
    [
      "a label key with an upper-case prefix",
      "prod",
      (c) => (pool(c, 1).labels["Platform.example.io/tier"] = "web"),
      /labels\["Platform\.example\.io\/tier"\] = "web": expected a key whose prefix \(before '\/'\) is a lower-case DNS subdomain/,
    ],
    [
      "a taint value that is no label value",
      "prod",
      (c) => (pool(c, 2).taints[0].value = "spot only"),
      /nodePools\[2\]\.taints\[0\]\.value = "spot only": expected a taint value of letters/,
    ],
    [
      "one taint key twice",
      "prod",
      (c) => pool(c, 2).taints.push({ key: "platform.example.io/spot", value: "true", effect: "NoExecute" }),
      /nodePools\[2\]\.taints\[1\]\.key = "platform\.example\.io\/spot": expected a taint key listed once \(it repeats item 0\)/,
    ],
  ]);

  test("labels in node.kubernetes.io, which the kubelet may set, are accepted", async () => {
    const run = await runStack("e2e", { configure: (c) => (pool(c).labels["node.kubernetes.io/lifecycle"] = "spot") });
    expect(run.resources.length).toBeGreaterThan(0);
  });
});

describe("EBS gp3 volumes: at most 16384 GiB", () => {
  testCases([
    [
      "a node's root volume",
      "prod",
      (c) => (pool(c, 1).diskSizeGiB = 20000),
      /nodePools\[1\]\.diskSizeGiB = 20000: expected at most 16384 GiB \(16 TiB, the largest gp3 volume\)/,
    ],
    [
      "Prometheus",
      "prod",
      (c) => (c["platform:observability"].monitoring.prometheus.storageGiB = 16385),
      /prometheus\.storageGiB = 16385: expected at most 16384 GiB/,
    ],
    [
      "Elasticsearch",
      "stage",
      (c) => (c["platform:observability"].logging.elasticsearch.storageGiB = 32768),
      /elasticsearch\.storageGiB = 32768: expected at most 16384 GiB/,
    ],
  ]);
});

describe("requests and limits that Kubernetes or the quota would refuse", () => {
  testCases([
    [
      "a default CPU request above the default limit",
      "prod",
      (c) => (tenancy(c).defaultLimits.defaultRequest.cpu = "2"),
      /platform:tenancy\.defaultLimits\.defaultRequest\.cpu = "2": expected at most default\.cpu \(1\): Kubernetes refuses a default request above its default limit/,
    ],
    [
      "a default memory request above the default limit",
      "e2e",
      (c) => (tenancy(c).defaultLimits.defaultRequest.memory = "1Gi"),
      /defaultRequest\.memory = "1Gi": expected at most default\.memory \(512Mi\)/,
    ],
    [
      "a team quota below one default container",
      "prod",
      (c) => (c["platform:teams"][0].quota.requestsCpu = "50m"),
      /platform:teams\[0\]\.quota\.requestsCpu = "50m": expected at least tenancy\.defaultLimits\.defaultRequest\.cpu \(100m\): a container without resources gets that much, so the quota would admit none/,
    ],
    [
      "a default quota below one default container",
      "e2e",
      (c) => (tenancy(c).defaultQuota.limitsMemory = "256Mi"),
      /platform:tenancy\.defaultQuota\.limitsMemory = "256Mi": expected at least tenancy\.defaultLimits\.default\.memory \(512Mi\)/,
    ],
  ]);
});

describe("cron expressions: every field in its range", () => {
  const schedule = (expression: string) => (c: StackConfig) => (c["platform:services"].backups.schedules[0].cron = expression);
  testCases([
    [
      "minute 60",
      "prod",
      schedule("60 * * * *"),
      /schedules\[0\]\.cron = "60 \* \* \* \*": expected a valid minute field \("60" is outside 0-59\)/,
    ],
    ["hour 24", "prod", schedule("0 24 * * *"), /expected a valid hour field \("24" is outside 0-23\)/],
    ["day of month 0", "prod", schedule("0 2 0 * *"), /expected a valid day of month field \("0" is outside 1-31\)/],
    ["month 13", "prod", schedule("0 2 1 13 *"), /expected a valid month field \("13" is outside 1-12 \(or JAN-DEC\)\)/],
    ["day of week 7", "prod", schedule("0 2 * * 7"), /expected a valid day of week field \("7" is outside 0-6 \(or SUN-SAT\)\)/],
    ["a step of 0", "prod", schedule("*/0 * * * *"), /expected a valid minute field \(the step of "\*\/0" is 0\)/],
    ["a range backwards", "prod", schedule("0 22-2 * * *"), /expected a valid hour field \(the range "22-2" runs backwards\)/],
    [
      "four fields",
      "prod",
      schedule("0 * * *"),
      /expected a five-field cron expression such as '0 \* \* \* \*' \(minute hour day-of-month month day-of-week\), not 4 fields/,
    ],
    ["an unknown descriptor", "prod", schedule("@fortnightly"), /expected one of the predefined schedules @yearly/],
  ]);

  test("names, lists, steps and predefined schedules are accepted", async () => {
    const run = await runStack("e2e", {
      configure: (c) => {
        c["platform:services"].backups.schedules[0].cron = "15,45 1-5/2 * jan-jun MON-FRI";
        c["platform:services"].backups.schedules.push({ name: "weekly", cron: "@weekly", ttl: "30d" });
      },
    });
    expect(run.resources.length).toBeGreaterThan(0);
  });
});

describe("a minimum above its maximum", () => {
  testCases([
    [
      "a pool's minSize",
      "prod",
      (c) => (pool(c, 0).minSize = 9),
      /platform:cluster\.nodePools\[0\]\.minSize = 9: expected at most maxSize \(6\)$/,
    ],
    [
      "a pool's desiredSize",
      "stage",
      (c) => (pool(c, 1).desiredSize = 11),
      /platform:cluster\.nodePools\[1\]\.desiredSize = 11: expected at most maxSize \(10\)$/,
    ],
    [
      "a pool's desiredSize below its minSize",
      "stage",
      (c) => (pool(c, 1).desiredSize = 1),
      /platform:cluster\.nodePools\[1\]\.desiredSize = 1: expected at least minSize \(2\)$/,
    ],
    [
      "build runners",
      "admin",
      (c) => (admin(c).ciRunners.minRunners = 41),
      /platform:admin\.ciRunners\.minRunners = 41: expected at most maxRunners \(40\)$/,
    ],
    [
      "a rolling update wider than EKS allows",
      "prod",
      (c) => (pool(c, 1).maxUnavailable = 101),
      /nodePools\[1\]\.maxUnavailable = 101: expected at most 100 \(the EKS limit for a rolling update\)$/,
    ],
  ]);
});
