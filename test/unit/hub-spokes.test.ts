/**
 * The environments as the hub's spokes: each attaches to the hub through the outputs admin publishes (never a
 * StackReference), routes to the hub only and trusts its Dex; and a spoke stops before anything is deployed when
 * those outputs are missing, too old or in another bucket.
 */
import { defaultHubOutputs } from "../../mock-engine/provider-answers";
import { runStack, StackRun } from "../../mock-engine";
import { admin, ENVIRONMENTS } from "./hub-fixtures";

/** prod reads a differently named admin stack with other outputs: what it uses must come from that stack's document. */
const OTHER_HUB = "acme/k8s-platform/hub";
const hubOutputsOf: Record<string, typeof defaultHubOutputs> = {
  e2e: defaultHubOutputs,
  stage: defaultHubOutputs,
  prod: {
    ...defaultHubOutputs,
    transitGatewayId: "tgw-0fedcba9876543210",
    dexIssuerUrl: "https://sso.example.org",
    vpcCidr: "10.1.0.0/16",
  },
};

const spokes: Record<string, StackRun> = {};
beforeAll(async () => {
  for (const env of ENVIRONMENTS) {
    spokes[env] =
      env === "prod"
        ? // Only the other hub has published anything: reading admin's document would fail.
          await runStack(env, {
            hubOutputs: null,
            stackOutputs: { hub: hubOutputsOf.prod },
            configure: (c) => (c["platform:hub"].stack = OTHER_HUB),
          })
        : await runStack(env, { hubOutputs: hubOutputsOf[env] });
  }
});

describe.each(ENVIRONMENTS)("%s attaches to the hub", (env) => {
  const run = () => spokes[env];
  const hubOutputs = hubOutputsOf[env];

  test("through what the configured admin stack publishes, never through a StackReference", () => {
    // Its roles may read that one object of the state bucket, not admin's state, and hold no grant on admin's key.
    expect(run().ofType("pulumi:pulumi:StackReference")).toEqual([]);
    expect(run().outputs.transitGatewayAttachmentId).toBe("transit-attachment-id");
  });

  test("its VPC is attached to the hub's Transit Gateway and routes the hub's CIDR through it", () => {
    const attachment = run().one("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "transit-attachment").inputs;
    expect(attachment.transitGatewayId).toBe(hubOutputs.transitGatewayId);
    const privateSubnets = run()
      .ofType("aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("private"));
    expect(attachment.subnetIds).toHaveLength(privateSubnets.length);

    const privateTables = run()
      .ofType("aws:ec2/routeTable:RouteTable")
      .filter((t) => t.name.includes("private"));
    const viaGateway = run()
      .ofType("aws:ec2/route:Route")
      .filter((r) => r.inputs.transitGatewayId);
    expect(viaGateway).toHaveLength(privateTables.length);
    for (const route of viaGateway) {
      expect(route.inputs).toMatchObject({ destinationCidrBlock: hubOutputs.vpcCidr, transitGatewayId: hubOutputs.transitGatewayId });
    }
    // No route to another environment: spokes reach the hub only.
    const otherSpokes = admin.spokes.filter((s: any) => s.name !== env).map((s: any) => s.vpcCidr);
    expect(viaGateway.filter((r) => otherSpokes.includes(r.inputs.destinationCidrBlock))).toEqual([]);
  });

  test("its cluster's Kubernetes providers wait for the path from the hub's runners: the routes to the hub and the API rule", () => {
    const path = [
      ...run()
        .ofType("aws:ec2/route:Route")
        .filter((r) => r.inputs.transitGatewayId),
      run().one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "transit-api-from-hub"),
    ];
    expect(path.length).toBeGreaterThanOrEqual(3);
    for (const name of ["cluster-provider", "cluster-workloads-provider"]) {
      const provider = run().one("pulumi:providers:kubernetes", name);
      for (const step of path) expect([name, step.name, provider.dependencies.includes(step.urn)]).toEqual([name, step.name, true]);
    }
  });

  test("its API server trusts the hub's Dex issuer", () => {
    const [idp] = run().ofType("aws:eks/identityProviderConfig:IdentityProviderConfig");
    expect(idp.inputs.oidc).toMatchObject({ issuerUrl: hubOutputs.dexIssuerUrl, clientId: "kubernetes", groupsClaim: "groups" });
  });

  test("grants no hub role anything (teams' CI roles are their own), and HTTPS from the hub's deploy runners to the API", () => {
    const principals = run()
      .ofType("aws:eks/accessEntry:AccessEntry")
      .map((e) => String(e.inputs.principalArn));
    expect(principals.filter((arn) => arn.includes(":444444444444:"))).toEqual([]);
    expect(JSON.stringify(run().resources.map((r) => r.inputs))).not.toContain("platform:ci-deployers");
    const apiRule = run().one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "transit-api-from-hub").inputs;
    expect(apiRule).toMatchObject({
      prefixListId: hubOutputs.deployRunnerPrefixListId,
      securityGroupId: "cluster-api-id",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
    });
  });
});

describe("a spoke before admin has published its outputs", () => {
  test("stops before registering anything but its provider, naming the document and what to deploy first", async () => {
    const failure = runStack("stage", { hubOutputs: null });
    await expect(failure).rejects.toThrow(
      'Stack "stage": the outputs organization/k8s-platform/admin publishes for it, ' +
        "s3://example-pulumi-state/published/k8s-platform/admin.json, do not exist yet; deploy organization/k8s-platform/admin " +
        "first with this version of the program: every update of it publishes them (nothing was deployed)",
    );
    await expect(failure).rejects.toMatchObject({ resourcesRegistered: 1 });
  });

  test("a document of an older admin, without an output the spoke needs, stops it the same way", async () => {
    const { deployRunnerPrefixListId: _, ...older } = defaultHubOutputs;
    await expect(runStack("e2e", { hubOutputs: older })).rejects.toThrow(
      /^Stack "e2e": the outputs organization\/k8s-platform\/admin publishes for it, s3:\/\/example-pulumi-state\/published\/k8s-platform\/admin\.json, lack deployRunnerPrefixListId; deploy organization\/k8s-platform\/admin first/,
    );
  });

  test("the spoke reads the bucket admin publishes to: another one is a config error naming admin's", async () => {
    await expect(
      runStack("prod", { configure: (c) => (c["platform:hub"].backendUrl = "s3://other-state?region=eu-west-1") }),
    ).rejects.toThrow(
      /platform:hub\.backendUrl = "s3:\/\/other-state\?region=eu-west-1": expected s3:\/\/example-pulumi-state\?region=eu-west-1, where the hub publishes the outputs prod reads \(admin\.backendUrl in Pulumi\.admin\.yaml\)/,
    );
  });
});
