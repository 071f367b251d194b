import { ConfigError } from "../../config/load";
import { runStack, StackConfig } from "../../mock-engine";

/** Runs `stack` with one edit to its config and returns the error message it fails with. */
async function failureOf(stack: string, configure: (c: StackConfig) => void): Promise<string> {
  const error = await runStack(stack, { configure }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe("a bad value in each section fails with the stack, key path, value and expectation", () => {
  const cases: [section: string, stack: string, edit: (c: StackConfig) => void, expected: RegExp][] = [
    [
      "environment",
      "prod",
      (c) => (c["platform:environment"].domain = "Not A Domain"),
      /platform:environment\.domain = "Not A Domain": expected a DNS name/,
    ],
    ["aws", "prod", (c) => (c["platform:aws"].deployRoleArn = "admin"), /platform:aws\.deployRoleArn = "admin": expected an IAM role ARN/],
    [
      "network",
      "prod",
      (c) => (c["platform:network"].vpcCidr = "10.30.0.1/16"),
      /platform:network\.vpcCidr = "10\.30\.0\.1\/16": expected an IPv4 network CIDR/,
    ],
    [
      "cluster",
      "prod",
      (c) => (c["platform:cluster"].nodePools[1].maxSize = 0),
      /platform:cluster\.nodePools\[1\]\.maxSize = 0: expected a number >= 1/,
    ],
    [
      "calico",
      "e2e",
      (c) => (c["platform:calico"].ipPool.encapsulation = "GRE"),
      /platform:calico\.ipPool\.encapsulation = "GRE": expected one of "IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet", "None"/,
    ],
    [
      "identity",
      "prod",
      (c) => (c["platform:identity"].oidc.groupsPrefix = "oidc"),
      /platform:identity\.oidc\.groupsPrefix = "oidc": expected a prefix ending in ':'/,
    ],
    [
      "tenancy",
      "prod",
      (c) => (c["platform:tenancy"].defaultQuota.requestsCpu = "lots"),
      /platform:tenancy\.defaultQuota\.requestsCpu = "lots": expected a Kubernetes quantity/,
    ],
    [
      "teams",
      "prod",
      (c) => (c["platform:teams"][0].namespaces = ["kube-payments"]),
      /platform:teams\[0\]\.namespaces\[0\] = "kube-payments": expected a namespace that is not built in and does not start with the reserved "kube-" prefix/,
    ],
    [
      "registries",
      "prod",
      (c) => (c["platform:registries"].pullThroughCache[0].upstream = "quay.example.com"),
      /platform:registries\.pullThroughCache\[0\]\.upstream = "quay\.example\.com": expected one of "quay\.io"/,
    ],
    [
      "observability",
      "prod",
      (c) => (c["platform:observability"].monitoring.prometheus.retention = "15 days"),
      /platform:observability\.monitoring\.prometheus\.retention = "15 days": expected a duration/,
    ],
    [
      "services",
      "prod",
      (c) => (c["platform:services"].backups.schedules[0].cron = "hourly"),
      /platform:services\.backups\.schedules\[0\]\.cron = "hourly": expected a five-field cron expression/,
    ],
    [
      "hub",
      "prod",
      (c) => (c["platform:hub"].stack = "admin"),
      /platform:hub\.stack = "admin": expected <organization>\/<project>\/<stack>/,
    ],
    [
      "admin",
      "admin",
      (c) => (c["platform:admin"].vpn.clientCidr = "10.255.0.0"),
      /platform:admin\.vpn\.clientCidr = "10\.255\.0\.0": expected an IPv4 network CIDR/,
    ],
  ];

  test.each(cases)("%s", async (_section, stack, edit, expected) => {
    const message = await failureOf(stack, edit);
    expect(message).toContain(`Invalid configuration for stack "${stack}" (Pulumi.${stack}.yaml)`);
    expect(message).toMatch(expected);
  });
});

test("an unknown key is rejected with the keys that exist there and a suggestion", async () => {
  const message = await failureOf("prod", (c) => {
    c["platform:network"].natGatway = "single";
  });
  expect(message).toMatch(
    /platform:network\.natGatway = "single": expected a known key \(did you mean "natGateways"\?\); known keys here: vpcCidr, azCount, natGateways, flowLogs/,
  );
});

test("an unknown top-level key and an ambient provider key are rejected", async () => {
  const message = await failureOf("e2e", (c) => {
    c["platform:monitoring"] = { enabled: true };
    c["kubernetes:kubeconfig"] = "~/.kube/config";
  });
  expect(message).toMatch(/platform:monitoring = \{"enabled":true\}: expected a known key/);
  expect(message).toMatch(
    /kubernetes:kubeconfig .*: expected no kubernetes: keys: every resource uses the environment's explicit provider/,
  );
});

test("every violation is reported at once, not only the first", async () => {
  const message = await failureOf("prod", (c) => {
    c["platform:network"].azCount = 2;
    c["platform:network"].natGateways = "single";
  });
  expect(message).toMatch(/platform:network\.azCount = 2: expected at least 3 in prod/);
  expect(message).toMatch(/platform:network\.natGateways = "single": expected perAz in prod/);
});

test("a stack file applied to the wrong stack is caught", async () => {
  const message = await failureOf("stage", (c) => (c["platform:environment"].kind = "prod"));
  expect(message).toMatch(/platform:environment\.kind = "prod": expected "stage", the name of the stack this file configures/);
});

test("a secret stored in plain text, or missing, is reported without showing its value", async () => {
  const plain = await runStack("prod", {
    secrets: {},
    configure: (c) => (c["platform:grafanaAdminPassword"] = "hunter2-but-longer"),
  }).then(
    () => "",
    (e: Error) => e.message,
  );
  expect(plain).toMatch(
    /platform:grafanaAdminPassword = \[secret\]: expected an encrypted value: set it with `pulumi config set --secret platform:grafanaAdminPassword`/,
  );
  expect(plain).not.toContain("hunter2");
  expect(plain).toMatch(
    /platform:alertReceiverSecrets\.pagerduty = \(not set\): expected a secret: the URL or key of alert receiver pagerduty/,
  );
});

test("teams may not share a namespace or use a platform namespace", async () => {
  const message = await failureOf("prod", (c) => {
    c["platform:teams"][1].namespaces = ["payments-batch"];
    c["platform:teams"][2].namespaces = ["monitoring"];
  });
  expect(message).toMatch(
    /platform:teams\[1\]\.namespaces\[0\] = "payments-batch": expected a namespace not owned by another team \("payments-batch" belongs to payments\)/,
  );
  expect(message).toMatch(/platform:teams\[2\]\.namespaces\[0\] = "monitoring": expected a namespace not used by the platform itself/);
});

test("namespace names must be DNS-1123 labels of at most 63 characters, and team names unique", async () => {
  const message = await failureOf("local", (c) => {
    c["platform:teams"][0].namespaces = ["Alpha_Team", "a".repeat(64), "default"];
    c["platform:teams"][1].name = "alpha";
  });
  expect(message).toMatch(/platform:teams\[0\]\.namespaces\[0\] = "Alpha_Team": expected a DNS-1123 label/);
  expect(message).toMatch(/platform:teams\[0\]\.namespaces\[1\] = "a{64}": expected at most 63 characters/);
  const reserved = await failureOf("local", (c) => {
    c["platform:teams"][0].namespaces = ["default"];
    c["platform:teams"][1].name = "alpha";
  });
  expect(reserved).toMatch(/platform:teams\[0\]\.namespaces\[0\] = "default": expected a namespace that is not built in/);
  expect(reserved).toMatch(/platform:teams\[1\]\.name = "alpha": expected a team name not used by another team/);
});

test("an unknown stack name fails clearly before any resource is registered", async () => {
  await expect(runStack("qa")).rejects.toThrow(/Unknown stack "qa": this program deploys the stacks e2e, stage, prod, admin, local/);
});

test("nothing is registered when the config is invalid", async () => {
  const error = await runStack("local", { configure: (c) => (c["platform:tenancy"].podSecurity = "strict") }).catch((e: Error) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toHaveProperty("resourcesRegistered", 0);
});

test("inside a mode-selected section, the hint lists the keys of the selected mode", async () => {
  const message = await failureOf("e2e", (c) => (c["platform:calico"].ipPol = c["platform:calico"].ipPool));
  expect(message).toMatch(
    /platform:calico\.ipPol = .*: expected a known key \(did you mean "ipPool"\?\); known keys here: mode, bgp, mtu, ipPool/,
  );
  const policyOnly = await failureOf("prod", (c) => (c["platform:calico"].ipPool = { cidr: "100.64.0.0/16" }));
  expect(policyOnly).toMatch(/platform:calico\.ipPool = .*: expected a known key; known keys here: mode$/m);
});
