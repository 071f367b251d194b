/**
 * verify --images end to end, short of the control plane: the stack's images resolved against a fake registry on
 * 127.0.0.1 (cached ones at their upstream), its EKS add-on builds checked with an `aws` stand-in on PATH, the
 * failures they make, and the tables in the text and Markdown reports. What could not be checked fails verify
 * unless accepted, and is never reported as checked.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EKS_ADDONS } from "../../lib/versions";
import { RecordedResource, StackRun } from "../../mock-engine";
import { checkAddons, EksAddon } from "../../scripts/verify/images-addons";
import { checkImages, ImageCheckOptions } from "../../scripts/verify/images-check";
import { SourcedObject } from "../../scripts/verify/images";
import { ImageCheck, imageFailures } from "../../scripts/verify/images-report";
import { formatMarkdown, formatReport, Report } from "../../scripts/verify/report";
import { closedPort, digestOf, FakeRegistry, INDEX, startFakeRegistry } from "./verify-images-fake-registry";

const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const PINNED = EKS_ADDONS["1.33"].coredns;
const NODE = { body: '{"manifests":["node"]}', mediaType: INDEX };

/** A recorded run with one pull-through cache rule (quay → quay.io), a 1.33 cluster and its CoreDNS add-on. */
function stackRun(): StackRun {
  const provider = "urn:pulumi:e2e::k8s-platform::pulumi:providers:aws::aws";
  const resource = (
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<RecordedResource> = {},
  ): RecordedResource => ({
    type,
    name,
    urn: `urn:pulumi:e2e::k8s-platform::${type}::${name}`,
    inputs,
    custom: true,
    protect: false,
    retainOnDelete: false,
    dependencies: [],
    ...extra,
  });
  const resources = [
    { ...resource("pulumi:providers:aws", "aws", { region: "eu-west-1" }), urn: provider },
    resource("aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "registry-quay-cache", {
      ecrRepositoryPrefix: "quay",
      upstreamRegistryUrl: "quay.io",
    }),
    resource("aws:eks/cluster:Cluster", "cluster-eks", { version: "1.33" }, { provider: `${provider}::id` }),
    resource(
      "aws:eks/addon:Addon",
      "cluster-services-coredns",
      { addonName: "coredns", addonVersion: PINNED },
      { provider: `${provider}::id` },
    ),
  ];
  return {
    stack: "e2e",
    resources,
    outputs: {},
    secretValues: [],
    ofType: (type) => resources.filter((r) => r.type === type),
    one: (type, name) => resources.find((r) => r.type === type && r.name === name)!,
    byUrn: (urn) => resources.find((r) => r.urn === urn)!,
  };
}

const pod = (component: string, name: string, image: string): SourcedObject => ({
  component,
  object: {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: "kube-system" },
    spec: { template: { spec: { containers: [{ name, image }] } } },
  },
});
const OBJECTS = [pod("calico", "node", `${ECR}/quay/calico/node:v3.32.1`), pod("logging", "shipper", "quay.io/calico/absent:v1")];

/** An `aws` stand-in: logs its arguments, prints `answer`, or fails as the CLI does without credentials. */
function fakeAws(answer: object | "no credentials"): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-aws-"));
  const log = path.join(dir, "calls");
  fs.writeFileSync(path.join(dir, "answer.json"), JSON.stringify(answer));
  const body =
    answer === "no credentials"
      ? 'echo "" >&2; echo "Unable to locate credentials. You can configure credentials by running \\"aws configure\\"." >&2; exit 255'
      : `echo "$*" >> "${log}"; cat "${dir}/answer.json"`;
  fs.writeFileSync(path.join(dir, "aws"), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return {
    env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` },
    calls: () => fs.readFileSync(log, "utf8").trim().split("\n"),
  };
}

const offered = (...versions: string[]) => ({
  addons: [
    {
      addonName: "coredns",
      addonVersions: versions.map((v, i) => ({ addonVersion: v, compatibilities: [{ clusterVersion: "1.33", defaultVersion: i === 0 }] })),
    },
  ],
});

const ADDON: EksAddon = { name: "coredns", version: PINNED, kubernetesVersion: "1.33", region: "eu-west-1" };

describe("EKS add-on builds, through aws eks describe-addon-versions", () => {
  test("a build EKS offers for the minor resolves; the CLI is asked for that add-on, minor and region", async () => {
    const aws = fakeAws(offered("v9.9.9-eksbuild.1", PINNED));
    expect(await checkAddons([ADDON], aws.env)).toEqual([
      { ...ADDON, status: "resolved", detail: "offered for Kubernetes 1.33; EKS's default is v9.9.9-eksbuild.1" },
    ]);
    expect(aws.calls()[0]).toMatch(/^eks describe-addon-versions --addon-name coredns --kubernetes-version 1\.33 --region eu-west-1 /);
  });

  test("a build EKS does not offer is missing", async () => {
    const [check] = await checkAddons([ADDON], fakeAws(offered("v9.9.9-eksbuild.1")).env);
    expect(check).toMatchObject({ status: "missing", detail: "not offered for Kubernetes 1.33 (the newest offered: v9.9.9-eksbuild.1)" });
  });

  test("without credentials, or without the CLI: not checked, saying why", async () => {
    expect(await checkAddons([ADDON], fakeAws("no credentials").env)).toEqual([
      {
        ...ADDON,
        status: "not checked",
        detail:
          'aws eks describe-addon-versions failed: Unable to locate credentials. You can configure credentials by running "aws configure".',
      },
    ]);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-aws-"));
    expect(await checkAddons([ADDON], { ...process.env, PATH: empty })).toEqual([
      { ...ADDON, status: "not checked", detail: "the aws CLI is not installed" },
    ]);
  });
});

describe("the stack's images and add-ons, checked and reported", () => {
  let registry: FakeRegistry;
  beforeAll(async () => void (registry = await startFakeRegistry({ "calico/node:v3.32.1": NODE })));
  afterAll(() => registry.close());

  const report = (check: ImageCheck): Report => ({
    stack: "e2e",
    kubernetesVersion: "v1.33.13",
    cluster: "throwaway",
    mirror: "",
    charts: [],
    outcomes: [],
    policyFindings: [],
    failures: imageFailures("e2e", check),
    images: check,
  });
  const check = (options: Partial<ImageCheckOptions>) =>
    checkImages(stackRun(), OBJECTS, { uncheckedAccepted: false, env: fakeAws(offered(PINNED)).env, ...options });

  test("reachable: a cached image resolves at its upstream to its digest, a missing one fails naming image, cache and component", async () => {
    const registries: string[] = [];
    const checked = await check({ resolver: { endpoint: (name) => (registries.push(name), registry.base) } });
    expect(registries).toEqual(["quay.io", "quay.io"]);
    expect(checked.images.map((i) => [i.upstream, i.cache, i.resolution.status])).toEqual([
      ["quay.io/calico/absent:v1", undefined, "missing"],
      ["quay.io/calico/node:v3.32.1", `${ECR}/quay`, "resolved"],
    ]);
    expect(imageFailures("e2e", checked)).toEqual([
      "e2e: images: quay.io/calico/absent:v1, run by logging, does not resolve: quay.io has no manifest calico/absent:v1 (404)",
    ]);
    const text = formatReport(report(checked));
    expect(text).toMatch(new RegExp(`quay.io/calico/node:v3.32.1 +${digestOf(NODE.body)} \\(index\\) +${ECR}/quay +calico`));
    expect(text).toMatch(/coredns +v[^ ]+ +1\.33 +offered for Kubernetes 1\.33/);
  });

  test("unreachable: every image and add-on not checked, one failure saying why, never a pass", async () => {
    const port = await closedPort();
    const checked = await check({ resolver: { endpoint: () => `http://127.0.0.1:${port}` }, env: fakeAws("no credentials").env });
    expect(checked.images.map((i) => i.resolution)).toEqual([
      { status: "not checked", detail: `127.0.0.1:${port} unreachable: ECONNREFUSED` },
      { status: "not checked", detail: `127.0.0.1:${port} unreachable: ECONNREFUSED` },
    ]);
    expect(imageFailures("e2e", checked)).toEqual([
      `e2e: images: could not check 2 of 2 images and 1 of 1 EKS add-ons (127.0.0.1:${port} unreachable: ECONNREFUSED; aws eks describe-addon-versions ` +
        'failed: Unable to locate credentials. You can configure credentials by running "aws configure".): nothing vouches for them; run where ' +
        "the registries and AWS are reachable, or accept this with --images-unchecked-ok",
    ]);
    expect(formatMarkdown(report(checked)).split("\n")[0]).toBe("### ❌ verify `e2e`");
  });

  test("unreachable and accepted with --images-unchecked-ok: no failure, but the verdict and the heading say it was not checked", async () => {
    const port = await closedPort();
    const checked = await check({
      resolver: { endpoint: () => `http://127.0.0.1:${port}` },
      uncheckedAccepted: true,
      env: fakeAws("no credentials").env,
    });
    expect(imageFailures("e2e", checked)).toEqual([]);
    const markdown = formatMarkdown(report(checked));
    expect(markdown.split("\n")[0]).toBe("### ⚠️ verify `e2e`");
    expect(markdown).toContain(
      "images: 0 of 2 resolved, 2 NOT CHECKED; EKS add-ons: 0 of 1 resolved, 1 NOT CHECKED; not checked, accepted by --images-unchecked-ok",
    );
    expect(markdown).toContain(
      `| quay.io/calico/node:v3.32.1 | not checked: 127.0.0.1:${port} unreachable: ECONNREFUSED | ${ECR}/quay | calico |`,
    );
    expect(formatReport(report(checked))).toContain("; not checked, accepted by --images-unchecked-ok");
  });
});
