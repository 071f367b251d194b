/**
 * The admin stack as the hub of the environments: what it exports and publishes for its spokes (and nothing
 * else), its CI runners, the Client VPN and the Transit Gateway it shares. Dex is hub-dex.test.ts, the spokes'
 * side hub-spokes.test.ts, admin's config rules hub-config-rules.test.ts.
 */
import { CHARTS, IMAGES } from "../../lib/versions";
import { HUB_OUTPUT_NAMES } from "../../stacks/hub-outputs";
import { defaultHubOutputs } from "../../mock-engine/provider-answers";
import { readStackConfig, runStack, StackRun } from "../../mock-engine";
import { admin } from "./hub-fixtures";

let hub: StackRun;
beforeAll(async () => {
  hub = await runStack("admin");
});

describe("admin stack", () => {
  test("exports the Dex issuer URL, the Transit Gateway id and its repositories' push roles, and no CI role", () => {
    expect(hub.outputs.dexIssuerUrl).toBe("https://dex.admin.platform.example.com");
    expect(hub.outputs.transitGatewayId).toBe("transit-tgw-id");
    expect(Object.keys(hub.outputs.registryPushRoleArns).sort()).toEqual(
      [...readStackConfig("admin")["platform:registries"].repositories].sort(),
    );
    expect(hub.outputs).not.toHaveProperty("ciRoleArn");
    expect(hub.outputs.vpcCidr).toBe("10.0.0.0/16");
    expect(hub.outputs.vpnClientCidr).toBe(admin.vpn.clientCidr);
    expect(Object.keys(defaultHubOutputs).every((name) => name in hub.outputs)).toBe(true);
  });

  test("reads no other stack", () => {
    expect(hub.ofType("pulumi:pulumi:StackReference")).toEqual([]);
  });

  test("publishes what its spokes read, and nothing else, as JSON in the state bucket", () => {
    const document = hub.one("aws:s3/bucketObjectv2:BucketObjectv2", "hub-outputs-document");
    expect(document.inputs).toMatchObject({
      bucket: "example-pulumi-state",
      key: "published/k8s-platform/admin.json",
      region: "eu-west-1",
      contentType: "application/json",
    });
    expect(document.provider).toMatch(/::pulumi:providers:aws::aws::/);
    const published = JSON.parse(document.inputs.content);
    expect(Object.keys(published).sort()).toEqual([...HUB_OUTPUT_NAMES].sort());
    for (const name of HUB_OUTPUT_NAMES) expect([name, published[name]]).toEqual([name, hub.outputs[name]]);
    expect(hub.outputs.hubOutputsUrl).toBe("s3://example-pulumi-state/published/k8s-platform/admin.json");
  });

  test("the published document holds no secret of the admin stack", () => {
    const content = hub.one("aws:s3/bucketObjectv2:BucketObjectv2", "hub-outputs-document").inputs.content;
    const leaked = hub.secretValues.filter((secret) => secret.length >= 6 && content.includes(secret));
    expect(leaked).toEqual([]);
    // The kubeconfig and every other output stay in admin's state only.
    expect(content).not.toMatch(/kubeconfig|clusterEndpoint|repositoryUrls/);
  });

  test("hub objects reach the cluster only through the provider that waits for nodes", () => {
    const hubNamespaces = ["dex", "ci-runners", "arc-systems"];
    const objects = hub.resources.filter(
      (r) =>
        r.type.startsWith("kubernetes:") &&
        hubNamespaces.includes(r.inputs.namespace ?? r.inputs.metadata?.namespace ?? r.inputs.metadata?.name),
    );
    expect(objects.length).toBeGreaterThanOrEqual(12);
    for (const object of objects) expect(object.provider).toMatch(/::cluster-workloads-provider::/);
  });
});

describe("CI runners", () => {
  const values = (scaleSet: string) => hub.one("kubernetes:helm.sh/v4:Chart", `ci-runners-${scaleSet}`).inputs.values;
  const SCALE_SETS = ["admin-ci", "admin-deploy", "admin-platform"];

  test("no runner holds a cloud role or an API token: every job assumes its own role through GitHub OIDC", () => {
    for (const [scaleSet, account] of [
      ["admin-ci", "ci-builder"],
      ["admin-deploy", "ci-deployer"],
      ["admin-platform", "platform-delivery"],
    ]) {
      expect(values(scaleSet).template.spec.serviceAccountName).toBe(account);
      const serviceAccount = hub.ofType("kubernetes:core/v1:ServiceAccount").find((a) => a.inputs.metadata.name === account)!.inputs;
      expect(serviceAccount.metadata).toMatchObject({ namespace: "ci-runners" });
      expect(serviceAccount.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toBeUndefined();
      expect(serviceAccount.automountServiceAccountToken).toBe(false);
    }
    // No IRSA role trusts a service account of the runners' namespace.
    const trusts = hub.ofType("aws:iam/role:Role").map((r) => String(r.inputs.assumeRolePolicy));
    expect(trusts.filter((trust) => trust.includes("system:serviceaccount:ci-runners:"))).toEqual([]);
  });

  test("the pinned controller manages the runners' namespace only; each scale set names it and a runner group of its own", () => {
    const controller = hub.one("kubernetes:helm.sh/v4:Chart", "ci-runners-controller").inputs;
    expect(controller).toMatchObject({
      chart: expect.stringMatching(/gha-runner-scale-set-controller$/),
      version: CHARTS.runnerController.version,
      namespace: "arc-systems",
    });
    expect(controller.values.flags.watchSingleNamespace).toBe("ci-runners");
    const groups = {
      "admin-ci": admin.ciRunners.build.runnerGroup,
      "admin-deploy": admin.ciRunners.deploy.runnerGroup,
      "admin-platform": "platform-delivery",
    };
    for (const scaleSet of SCALE_SETS) {
      const chart = hub.one("kubernetes:helm.sh/v4:Chart", `ci-runners-${scaleSet}`).inputs;
      expect(chart).toMatchObject({
        chart: expect.stringMatching(/gha-runner-scale-set$/),
        version: CHARTS.runnerScaleSet.version,
        namespace: "ci-runners",
      });
      expect(chart.values).toMatchObject({
        githubConfigUrl: admin.ciRunners.githubConfigUrl,
        githubConfigSecret: "github-app",
        controllerServiceAccount: { namespace: "arc-systems", name: controller.values.serviceAccount.name },
        runnerScaleSetName: scaleSet,
        runnerGroup: groups[scaleSet as keyof typeof groups],
      });
    }
    expect(new Set(Object.values(groups)).size).toBe(3);
    const app = hub.one("kubernetes:core/v1:Secret", "ci-runners-github-app").inputs;
    expect(app.metadata).toMatchObject({ name: "github-app", namespace: "ci-runners" });
    expect(Object.keys(app.stringData).sort()).toEqual(["github_app_id", "github_app_installation_id", "github_app_private_key"]);
  });

  test("build runners: rootless BuildKit, no privileged container, on the reserved pool; deploy runners share no node with them", () => {
    const build = values("admin-ci");
    expect(build).toMatchObject({ minRunners: admin.ciRunners.minRunners, maxRunners: admin.ciRunners.maxRunners });
    expect(build.template.spec.nodeSelector).toEqual({ "platform.example.io/pool": "ci" });
    expect(build.template.spec.tolerations).toEqual([
      { key: "platform.example.io/ci", operator: "Equal", value: "true", effect: "NoSchedule" },
    ]);
    expect(JSON.stringify(build.template)).not.toContain("privileged");
    const [buildkit] = build.template.spec.initContainers;
    expect(buildkit).toMatchObject({
      name: "buildkitd",
      image: `${hub.outputs.registryHost}/docker-hub/${IMAGES.buildkitRootless}`,
      args: ["--addr", "tcp://127.0.0.1:1234", "--oci-worker-no-process-sandbox"],
      restartPolicy: "Always",
      securityContext: {
        runAsUser: 1000,
        runAsGroup: 1000,
        seccompProfile: { type: "Unconfined" },
        appArmorProfile: { type: "Unconfined" },
      },
    });
    expect(buildkit.securityContext.capabilities).toBeUndefined();
    const [runner] = build.template.spec.containers;
    expect(runner.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(runner.env).toEqual([{ name: "BUILDKIT_HOST", value: "tcp://127.0.0.1:1234" }]);
    expect(build.template.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1001,
      seccompProfile: { type: "RuntimeDefault" },
    });

    const deploy = values("admin-deploy");
    expect(deploy).toMatchObject({ minRunners: 0, maxRunners: admin.ciRunners.deploy.maxRunners });
    expect(deploy.template.spec.tolerations).toBeUndefined();
    expect(JSON.stringify(deploy.template)).not.toMatch(/privileged|Unconfined/);
  });

  test("platform delivery runners carry the label the Fargate profile selects, and are sized as Fargate runs them", () => {
    const platform = values("admin-platform");
    expect(platform).toMatchObject({ minRunners: 0, maxRunners: admin.ciRunners.platform?.maxRunners ?? 4 });
    expect(platform.template.metadata.labels).toEqual({ "platform.example.io/runner": "platform" });
    expect(platform.template.spec.tolerations).toBeUndefined();
    expect(platform.template.spec.nodeSelector).toBeUndefined();
    const { requests, limits } = platform.template.spec.containers[0].resources;
    expect(requests).toEqual(limits);
    expect(JSON.stringify(platform.template)).not.toMatch(/privileged|Unconfined|hostPath/);
    expect(hub.outputs.ciRunnerScaleSets).toEqual({ build: "admin-ci", deploy: "admin-deploy", platform: "admin-platform" });
  });
});

describe("Client VPN", () => {
  test("serves admin's own ACM certificate, once validated, unless another is configured", async () => {
    expect(admin.vpn.serverCertificateArn).toBeUndefined();
    const validated = hub.one("aws:acm/certificateValidation:CertificateValidation", "dns-certificate");
    expect(hub.one("aws:acm/certificate:Certificate", "dns-certificate").inputs.domainName).toBe("*.admin.platform.example.com");
    const endpoint = hub.one("aws:ec2clientvpn/endpoint:Endpoint", "vpn-endpoint");
    expect(endpoint.inputs.serverCertificateArn).toBe(hub.outputs.environmentCertificateArn);
    expect(endpoint.dependencies).toContain(validated.urn);
    const imported = "arn:aws:acm:eu-west-1:444444444444:certificate/0c2a3b4d-1111-2222-3333-444455556666";
    const run = await runStack("admin", { configure: (c) => (c["platform:admin"].vpn.serverCertificateArn = imported) });
    expect(run.one("aws:ec2clientvpn/endpoint:Endpoint", "vpn-endpoint").inputs.serverCertificateArn).toBe(imported);
  });

  test("authenticates against the directory and logs every connection", () => {
    const endpoint = hub.one("aws:ec2clientvpn/endpoint:Endpoint", "vpn-endpoint").inputs;
    expect(endpoint.authenticationOptions).toEqual([
      { type: "directory-service-authentication", activeDirectoryId: admin.vpn.directoryId },
    ]);
    expect(endpoint).toMatchObject({ clientCidrBlock: admin.vpn.clientCidr, splitTunnel: true });
    expect(endpoint.connectionLogOptions.enabled).toBe(true);
    expect(hub.ofType("aws:ec2clientvpn/networkAssociation:NetworkAssociation")).toHaveLength(
      readStackConfig("admin")["platform:network"].azCount,
    );
  });

  test("authorizes and routes every environment's VPC (and the admin VPC) through the endpoint", () => {
    const rules = hub.ofType("aws:ec2clientvpn/authorizationRule:AuthorizationRule").map((r) => r.inputs);
    const targets = ["10.0.0.0/16", ...admin.spokes.map((s: any) => s.vpcCidr)];
    expect(rules.map((r) => r.targetNetworkCidr).sort()).toEqual(targets.sort());
    for (const rule of rules) expect(rule).toMatchObject({ accessGroupId: admin.vpn.accessGroupSid });

    const associations = hub.ofType("aws:ec2clientvpn/networkAssociation:NetworkAssociation").map((a) => a.inputs.subnetId);
    const routes = hub.ofType("aws:ec2clientvpn/route:Route").map((r) => r.inputs);
    for (const spoke of admin.spokes) {
      const toSpoke = routes.filter((r) => r.destinationCidrBlock === spoke.vpcCidr);
      expect(toSpoke.map((r) => r.targetVpcSubnetId).sort()).toEqual([...associations].sort());
    }
  });
});

describe("Transit Gateway hub", () => {
  test("is shared with every environment account and routes the admin VPC to each environment", () => {
    const shared = hub.ofType("aws:ram/principalAssociation:PrincipalAssociation").map((p) => p.inputs.principal);
    expect(shared.sort()).toEqual(admin.spokes.map((s: any) => s.accountId).sort());
    expect(hub.one("aws:ram/resourceShare:ResourceShare", "transit-share").inputs.allowExternalPrincipals).toBe(false);
    expect(hub.one("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "transit-attachment").inputs.transitGatewayId).toBe(
      "transit-tgw-id",
    );

    const routes = hub.ofType("aws:ec2/route:Route").filter((r) => r.inputs.transitGatewayId);
    const routeTables = hub.ofType("aws:ec2/routeTable:RouteTable").filter((t) => t.name.includes("private"));
    for (const spoke of admin.spokes) {
      const toSpoke = routes.filter((r) => r.inputs.destinationCidrBlock === spoke.vpcCidr);
      expect(toSpoke).toHaveLength(routeTables.length);
      for (const route of toSpoke) expect(route.inputs.transitGatewayId).toBe("transit-tgw-id");
    }
  });
});
