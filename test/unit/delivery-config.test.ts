/**
 * Where each environment is deployed from, in config: the hub's platform runners reach an environment only as a
 * spoke admin lists (config/rules-delivery.ts), a public endpoint admits the hub's NAT addresses, and admin's
 * first deployment may open its endpoint to the operator for a few days at most. Secrets providers per stack.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { violationsOf } from "../config-errors";
import { readStackConfig, runStack, StackConfig } from "../../mock-engine";
import { defaultHubOutputs } from "../../mock-engine/provider-answers";

const DAY_MS = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().replace(/\.\d+Z$/, "Z");
const cluster = (c: StackConfig) => c["platform:cluster"];
const AWS_STACKS = ["admin", "e2e", "stage", "prod"];

describe("an environment the hub's deploy runners cannot reach is a config error", () => {
  test.each<[string, string, (c: StackConfig) => void, RegExp]>([
    [
      "a VPC range admin routes elsewhere",
      "stage",
      (c) => (c["platform:network"].vpcCidr = "10.21.0.0/16"),
      /platform:network\.vpcCidr = "10\.21\.0\.0\/16": expected 10\.20\.0\.0\/16, the range admin\.spokes\[stage\] routes in Pulumi\.admin\.yaml/,
    ],
    [
      "another account than the hub shares with",
      "prod",
      (c) => (c["platform:aws"].accountId = "999999999999"),
      /platform:aws\.accountId = "999999999999": expected 111111111111, the account admin\.spokes\[prod\] shares/,
    ],
    [
      "a hub other than admin",
      "e2e",
      (c) => (c["platform:hub"].stack = "organization/k8s-platform/stage"),
      /platform:hub\.stack = "organization\/k8s-platform\/stage": expected a hub whose admin\.spokes lists e2e \(Pulumi\.stage\.yaml lists none\): e2e is deployed by the hub's runners/,
    ],
  ])("%s", async (_what, stack, edit, line) => {
    const lines = await violationsOf(stack, (c) => {
      edit(c);
      // The accounts' own roles follow the account, so that only the reach is wrong.
      const { accountId } = c["platform:aws"];
      for (const key of ["deployRoleArn", "previewRoleArn"])
        c["platform:aws"][key] = c["platform:aws"][key].replace(/::\d{12}:/, `::${accountId}:`);
    });
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(line)]));
  });
});

describe("admin's first deployment: a public endpoint for the operator, for seven days at most", () => {
  test("while it lasts, the endpoint admits the operator and the cluster carries the deadline for the policy pack", async () => {
    const until = inDays(2);
    const run = await runStack("admin", { configure: (c) => (cluster(c).bootstrapAccess = { cidrs: ["203.0.113.7/32"], until }) });
    const eks = run.one("aws:eks/cluster:Cluster", "cluster-eks").inputs;
    expect(eks.vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.7/32"] });
    expect(eks.tags).toEqual({ "platform.example.io/bootstrap-access-until": until });
  });

  test.each<[string, string, (c: StackConfig) => void, RegExp]>([
    [
      "ended",
      "admin",
      (c) => (cluster(c).bootstrapAccess = { cidrs: ["203.0.113.7/32"], until: inDays(-1) }),
      /platform:cluster\.bootstrapAccess\.until = "[^"]+": expected a time still ahead: the allowance ended; remove cluster\.bootstrapAccess/,
    ],
    [
      "too long",
      "admin",
      (c) => (cluster(c).bootstrapAccess = { cidrs: ["203.0.113.7/32"], until: inDays(30) }),
      /platform:cluster\.bootstrapAccess\.until = "[^"]+": expected at most 7 days ahead/,
    ],
    [
      "open to the internet",
      "admin",
      (c) => (cluster(c).bootstrapAccess = { cidrs: ["0.0.0.0/0"], until: inDays(1) }),
      /platform:cluster\.bootstrapAccess\.cidrs\[0\] = "0\.0\.0\.0\/0": expected the operator's range, not the whole internet/,
    ],
    [
      "on a spoke",
      "prod",
      (c) => (cluster(c).bootstrapAccess = { cidrs: ["203.0.113.7/32"], until: inDays(1) }),
      /platform:cluster\.bootstrapAccess = .*: expected nothing: only admin's first deployment needs it; prod is deployed from the hub's runners/,
    ],
  ])("refused when %s", async (_what, stack, edit, line) => {
    expect(await violationsOf(stack, edit)).toEqual([expect.stringMatching(line)]);
  });

  test("without it, admin's endpoint is private and untagged", async () => {
    const eks = (await runStack("admin")).one("aws:eks/cluster:Cluster", "cluster-eks").inputs;
    expect(eks.vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: false });
    expect(eks.vpcConfig.publicAccessCidrs).toBeUndefined();
    expect(eks.tags).toBeUndefined();
  });
});

test("a public spoke endpoint admits the hub's NAT addresses, where the hub's runners and VPN users come from", async () => {
  const e2e = await runStack("e2e");
  const configured: string[] = cluster(readStackConfig("e2e")).publicAccessCidrs;
  expect(configured.length).toBeGreaterThan(0);
  expect(e2e.one("aws:eks/cluster:Cluster", "cluster-eks").inputs.vpcConfig.publicAccessCidrs).toEqual([
    ...configured,
    ...(defaultHubOutputs.natPublicCidrs as string[]),
  ]);
  const hub = await runStack("admin");
  const network = readStackConfig("admin")["platform:network"];
  expect(hub.outputs.natPublicCidrs).toHaveLength(network.natGateways === "perAz" ? network.azCount : 1);
  for (const cidr of hub.outputs.natPublicCidrs) expect(cidr).toMatch(/\/32$/);
});

test("every AWS stack file names its own KMS secrets provider, in its own account and region", () => {
  for (const stack of AWS_STACKS) {
    const file = parse(fs.readFileSync(path.join(__dirname, "../..", `Pulumi.${stack}.yaml`), "utf8"));
    const { accountId, region } = file.config["platform:aws"];
    expect({ stack, secretsprovider: file.secretsprovider }).toEqual({
      stack,
      secretsprovider: `awskms:///arn:aws:kms:${region}:${accountId}:alias/pulumi-${stack}?region=${region}`,
    });
  }
});
