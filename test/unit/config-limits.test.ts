/**
 * Values that pass a type check and would fail at deploy time (AWS, EKS and Kubernetes limits, relations
 * between values, the kubeconfig of an existing cluster), and the mistakes of copying one environment's values
 * into another's file. Each is one message naming the stack, the key path and the value, before any resource.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { violationsOf } from "../config-errors";
import { runStack, StackConfig } from "../../mock-engine";

type Case = [what: string, stack: string, edit: (c: StackConfig) => void, line: RegExp];

/** Each case is one mistake: exactly one message, matching `line`. */
function testCases(cases: Case[]) {
  test.each(cases)("%s", async (_what, stack, edit, line) => {
    const lines = await violationsOf(stack, edit);
    expect(lines).toEqual([expect.stringMatching(line)]);
  });
}

const pool = (c: StackConfig, i = 0) => c["platform:cluster"].nodePools[i];
const tenancy = (c: StackConfig) => c["platform:tenancy"];
const admin = (c: StackConfig) => c["platform:admin"];

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

describe("addresses and reserved names", () => {
  testCases([
    [
      "a host name where an IP address is required",
      "admin",
      (c) => (admin(c).vpn.dnsServers = ["10.0.0.2", "dns.corp.example.com"]),
      /platform:admin\.vpn\.dnsServers\[1\] = "dns\.corp\.example\.com": expected an IPv4 address such as 10\.0\.0\.2, not a host name$/,
    ],
    [
      "the OIDC prefix Kubernetes reserves",
      "prod",
      (c) => (c["platform:identity"].oidc.groupsPrefix = "system:"),
      /platform:identity\.oidc\.groupsPrefix = "system:": expected a prefix other than 'system:', which Kubernetes reserves/,
    ],
    [
      "the OIDC username prefix Kubernetes reserves",
      "prod",
      (c) => (c["platform:identity"].oidc.usernamePrefix = "system:"),
      /platform:identity\.oidc\.usernamePrefix = "system:": expected a prefix other than 'system:', which Kubernetes reserves for its own usernames/,
    ],
    [
      "an LDAP port out of range",
      "admin",
      (c) => (admin(c).dex.ldap.host = "ldap.corp.example.com:70000"),
      /platform:admin\.dex\.ldap\.host = "ldap\.corp\.example\.com:70000": expected a port from 1 to 65535$/,
    ],
  ]);
});

describe("local: the kubeconfig must be one, and hold the context", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-kubeconfig-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, text);
    return target;
  };
  const fixture = fs.readFileSync(path.join(__dirname, "..", "..", "mock-engine", "kubeconfig.yaml"), "utf8");
  const cluster = (c: StackConfig) => c["platform:cluster"];

  test("a file that is not a kubeconfig, without showing its content", async () => {
    const notKubeconfig = file("notes.txt", "token: s3cr3t-t0ken\n- [unbalanced\n");
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = notKubeconfig));
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:cluster\.kubeconfig = ".*notes\.txt": expected a kubeconfig file \(YAML or JSON, kind: Config, with clusters, contexts and users\): this file is not one$/,
      ),
    ]);
    expect(lines.join("\n")).not.toContain("s3cr3t");
  });

  test("another kind of Kubernetes file", async () => {
    const pod = file("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: { name: x }\n");
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = pod));
    expect(lines).toEqual([expect.stringMatching(/platform:cluster\.kubeconfig = ".*pod\.yaml": expected a kubeconfig file/)]);
  });

  test("a missing file", async () => {
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = path.join(dir, "absent")));
    expect(lines).toEqual([expect.stringMatching(/platform:cluster\.kubeconfig = ".*absent": expected a readable kubeconfig file/)]);
  });

  test("a context the file does not contain", async () => {
    const kubeconfig = file("kubeconfig", fixture);
    const lines = await violationsOf("local", (c) => {
      cluster(c).kubeconfig = kubeconfig;
      cluster(c).context = "kind-platform";
    });
    expect(lines).toEqual([
      expect.stringMatching(/platform:cluster\.context = "kind-platform": expected one of the contexts of .*kubeconfig: mock$/),
    ]);
  });

  test("no context named and none current", async () => {
    const kubeconfig = file("no-current", fixture.replace(/^current-context: .*$/m, ""));
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = kubeconfig));
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:cluster\.context = \(not set\): expected a context of .*no-current \(mock\): the file sets no current-context$/,
      ),
    ]);
  });

  test("a context whose cluster the file does not define", async () => {
    const kubeconfig = file("dangling", fixture.replace("context: { cluster: mock,", "context: { cluster: gone,"));
    const lines = await violationsOf("local", (c) => (cluster(c).kubeconfig = kubeconfig));
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:cluster\.kubeconfig = ".*dangling": expected a kubeconfig whose context "mock" names one of its clusters \(it names "gone"\)$/,
      ),
    ]);
  });
});

describe("values copied from another environment or account", () => {
  testCases([
    [
      "a deploy role of another account",
      "stage",
      (c) => (c["platform:aws"].deployRoleArn = "arn:aws:iam::111111111111:role/platform-deployer"),
      /platform:aws\.deployRoleArn = "arn:aws:iam::111111111111:role\/platform-deployer": expected a role in aws\.accountId 222222222222 \(this ARN is in 111111111111\)/,
    ],
    [
      "a VPN certificate of another Region",
      "admin",
      (c) => (admin(c).vpn.serverCertificateArn = "arn:aws:acm:us-east-1:444444444444:certificate/0c2a3b4d-1111-2222-3333-444455556666"),
      /platform:admin\.vpn\.serverCertificateArn = .*: expected an ACM certificate in aws\.region eu-west-1 and aws\.accountId 444444444444 \(this one is in us-east-1, 444444444444\)/,
    ],
    [
      "a preview role of another account",
      "stage",
      (c) => (c["platform:aws"].previewRoleArn = "arn:aws:iam::111111111111:role/platform-previewer"),
      /platform:aws\.previewRoleArn = "arn:aws:iam::111111111111:role\/platform-previewer": expected a role in aws\.accountId 222222222222 \(this ARN is in 111111111111\)/,
    ],
    [
      "the deploy role as the preview role",
      "prod",
      (c) => (c["platform:aws"].previewRoleArn = c["platform:aws"].deployRoleArn),
      /platform:aws\.previewRoleArn = "arn:aws:iam::111111111111:role\/platform-deployer": expected a role other than aws\.deployRoleArn/,
    ],
    [
      "two admin roles of one name",
      "prod",
      (c) => c["platform:cluster"].adminRoleArns.push("arn:aws:iam::111111111111:role/breakglass/infra-admin"),
      /platform:cluster\.adminRoleArns\[1\] = .*: expected a role whose name differs from arn:aws:iam::111111111111:role\/infra-admin's/,
    ],
    [
      "a hosted zone id with the console's prefix",
      "prod",
      (c) => (c["platform:environment"].hostedZoneId = "/hostedzone/Z0PROD0000000000000001"),
      /hostedZoneId = "\/hostedzone\/Z0PROD0000000000000001": expected a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ \(without the \/hostedzone\/ prefix\)$/,
    ],
    [
      "an account id YAML read as a number",
      "prod",
      (c) => (c["platform:aws"].accountId = 111111111111),
      /platform:aws\.accountId = 111111111111: expected a string, not a number \(quote it in YAML/,
    ],
  ]);
});

describe("lists whose items would clash as resources", () => {
  testCases([
    [
      "an ECR repository twice",
      "prod",
      (c) => c["platform:registries"].repositories.push("payments/api"),
      /platform:registries\.repositories\[4\] = "payments\/api": expected a repository name listed once \(it repeats item 0\)$/,
    ],
    [
      "pull credentials for one server twice",
      "local",
      (c) =>
        (c["platform:registries"] = {
          pullCredentials: [
            { server: "registry.example.com", username: "a" },
            { server: "registry.example.com", username: "b" },
          ],
        }),
      /pullCredentials\[1\]\.server = "registry\.example\.com": expected a server \(one password per server in registryPasswords\) listed once/,
    ],
    [
      "an instance type twice",
      "prod",
      (c) => pool(c, 2).instanceTypes.push("m7i.xlarge"),
      /nodePools\[2\]\.instanceTypes\[4\] = "m7i\.xlarge": expected an instance type listed once \(it repeats item 0\)$/,
    ],
  ]);
});

describe("Dex's LDAP connection: the port decides StartTLS", () => {
  testCases([
    [
      "StartTLS on the LDAPS port",
      "admin",
      (c) => (admin(c).dex.ldap.startTLS = true),
      /platform:admin\.dex\.ldap\.startTLS = true: expected false with port 636: that port speaks LDAPS/,
    ],
    [
      "LDAPS on the plain LDAP port",
      "admin",
      (c) => (admin(c).dex.ldap.host = "ldap.corp.example.com:389"),
      /platform:admin\.dex\.ldap\.startTLS = \(not set\): expected true with port 389/,
    ],
  ]);
});
