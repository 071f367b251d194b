import { CHARTS, IMAGES, splitImage } from "../../lib/versions";
import { HUB_OUTPUT_NAMES } from "../../stacks/hub-outputs";
import { defaultHubOutputs } from "../../mock-engine/provider-answers";
import { readStackConfig, readTestSecrets, runStack, StackRun } from "../../mock-engine";

const ENVIRONMENTS = ["e2e", "stage", "prod"] as const;
const admin = readStackConfig("admin")["platform:admin"];

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

let hub: StackRun;
const spokes: Record<string, StackRun> = {};
beforeAll(async () => {
  hub = await runStack("admin");
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

describe("Dex", () => {
  const values = () => hub.one("kubernetes:helm.sh/v4:Chart", "dex-chart").inputs.values;

  test("is the pinned chart, issuing under the public URL the admin stack exports", () => {
    const chart = hub.one("kubernetes:helm.sh/v4:Chart", "dex-chart").inputs;
    expect(chart).toMatchObject({
      chart: "dex",
      version: CHARTS.dex.version,
      namespace: "dex",
      repositoryOpts: { repo: "https://charts.dexidp.io" },
    });
    expect(values().image).toEqual(splitImage(IMAGES.dex));
    expect(values().replicaCount).toBe(admin.dex.replicas);
    expect(values().config.issuer).toBe(hub.outputs.dexIssuerUrl);
  });

  test("signs in against the directory, with the bind password from a Secret and groups in the groups claim", () => {
    const [connector] = values().config.connectors;
    const { ldap } = admin.dex;
    expect(connector.type).toBe("ldap");
    expect(connector.config).toMatchObject({
      host: ldap.host,
      bindDN: ldap.bindDN,
      bindPW: "$LDAP_BIND_PW",
      userSearch: { baseDN: ldap.userSearch.baseDN, filter: ldap.userSearch.filter, username: "sAMAccountName", emailAttr: "mail" },
      groupSearch: {
        baseDN: ldap.groupSearch.baseDN,
        filter: ldap.groupSearch.filter,
        userMatchers: [{ userAttr: "DN", groupAttr: "member" }],
        // Unique among the domain's security principals; cn is unique only within its OU.
        nameAttr: "sAMAccountName",
      },
    });
    expect(values().envFrom).toEqual([{ secretRef: { name: "dex-credentials" } }]);
    const credentials = hub.one("kubernetes:core/v1:Secret", "dex-credentials").inputs;
    expect(credentials.metadata.namespace).toBe("dex");
    expect(credentials.stringData.LDAP_BIND_PW).toBe("ldap-bind-password");
    expect(JSON.stringify(values())).not.toContain("ldap-bind-password");
  });

  test("has a public kubectl client and a confidential Grafana and Kibana client per environment", () => {
    const clients: any[] = values().config.staticClients;
    expect(clients.find((c) => c.id === "kubernetes")).toEqual({
      id: "kubernetes",
      name: "kubectl",
      public: true,
      redirectURIs: ["http://localhost:8000", "http://localhost:18000"],
    });
    const credentials = hub.one("kubernetes:core/v1:Secret", "dex-credentials").inputs.stringData;
    for (const env of ["admin", ...ENVIRONMENTS]) {
      const grafana = clients.find((c) => c.id === `grafana-${env}`);
      const kibana = clients.find((c) => c.id === `kibana-${env}`);
      expect(grafana.redirectURIs).toEqual([`https://grafana.${env}.platform.example.com/login/generic_oauth`]);
      expect(kibana.redirectURIs).toEqual([`https://kibana.${env}.platform.example.com/oauth2/callback`]);
      // Dex does not expand $VARS in static clients: the secret comes from secretEnv, never inline.
      expect(grafana.secret).toBeUndefined();
      expect(credentials[grafana.secretEnv]).toBe(`grafana-${env}-client-secret`);
      expect(credentials[kibana.secretEnv]).toBe(`kibana-${env}-client-secret`);
    }
    expect(clients).toHaveLength(1 + 2 * 4);
  });

  test("is published over HTTPS under its issuer name, with a DNS-validated certificate", () => {
    const service = hub.one("kubernetes:core/v1:Service", "dex-service").inputs;
    expect(service.spec).toMatchObject({
      type: "LoadBalancer",
      selector: { "app.kubernetes.io/name": "dex", "app.kubernetes.io/instance": "dex" },
    });
    expect(service.spec.ports).toEqual([{ name: "https", port: 443, targetPort: "http", protocol: "TCP" }]);
    expect(service.metadata.annotations).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": expect.stringMatching(/^arn:aws:acm:.*dex-certificate$/),
    });
    expect(hub.one("aws:acm/certificate:Certificate", "dex-certificate").inputs).toMatchObject({
      domainName: "dex.admin.platform.example.com",
      validationMethod: "DNS",
    });
    const record = hub.one("aws:route53/record:Record", "dex-dns").inputs;
    expect(record).toMatchObject({ zoneId: "Z0ADMIN000000000000001", name: "dex.admin.platform.example.com", type: "CNAME" });
    expect(record.records).toEqual([expect.stringMatching(/\.elb\.eu-west-1\.amazonaws\.com$/)]);
  });

  test("its NLB is the load balancer controller's, by class, built once the controller is ready", () => {
    const service = hub.one("kubernetes:core/v1:Service", "dex-service");
    // With a class the cloud provider's own service controller skips the Service; without one, who builds it
    // depended on whether the controller's Service webhook (failure policy Ignore) answered in time.
    expect(service.inputs.spec.loadBalancerClass).toBe("service.k8s.aws/nlb");
    expect(service.inputs.metadata.annotations).not.toHaveProperty("service.beta.kubernetes.io/aws-load-balancer-type");
    expect(service.dependencies).toEqual(
      expect.arrayContaining([
        hub.one("kubernetes:helm.sh/v4:Chart", "load-balancer-controller-chart").urn,
        hub.one("kubernetes:networking.k8s.io/v1:IngressClass", "load-balancer-controller-alb-platform").urn,
      ]),
    );
  });

  test("Kibana's login proxy, which discovers Dex when it starts, waits for Dex's published endpoint", () => {
    const proxy = hub.one("kubernetes:helm.sh/v4:Chart", "logging-oauth2-proxy");
    expect(proxy.dependencies).toEqual(
      expect.arrayContaining([
        hub.one("kubernetes:core/v1:Service", "dex-service").urn,
        hub.one("aws:route53/record:Record", "dex-dns").urn,
      ]),
    );
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

describe("admin config rules", () => {
  const withAdmin = (edit: (admin: any, config: Record<string, any>) => void) => (c: Record<string, any>) => edit(c["platform:admin"], c);

  test("every Grafana and Kibana client needs a secret", async () => {
    const secrets = readTestSecrets("admin");
    delete secrets["platform:oidcClientSecrets"]["kibana-prod"];
    await expect(runStack("admin", { secrets })).rejects.toThrow(
      /platform:oidcClientSecrets\.kibana-prod = \[secret\]: expected a secret: the Dex client secret of kibana-prod/,
    );
  });

  test("hub ranges must not overlap", async () => {
    await expect(runStack("admin", { configure: withAdmin((a) => (a.spokes[1].vpcCidr = "10.10.128.0/17")) })).rejects.toThrow(
      /platform:admin\.spokes\[1\]\.vpcCidr = "10\.10\.128\.0\/17": expected a range that does not overlap admin\.spokes\[0\]\.vpcCidr 10\.10\.0\.0\/16/,
    );
    await expect(runStack("admin", { configure: withAdmin((a) => (a.vpn.clientCidr = "10.0.0.0/22")) })).rejects.toThrow(
      /platform:admin\.vpn\.clientCidr = "10\.0\.0\.0\/22": expected a range that does not overlap network\.vpcCidr/,
    );
  });

  test("build runners need a reserved, tainted node pool", async () => {
    await expect(runStack("admin", { configure: withAdmin((a) => (a.ciRunners.nodePool = "system")) })).rejects.toThrow(
      /platform:admin\.ciRunners\.nodePool = "system": expected a pool with labels and a NoSchedule taint/,
    );
    await expect(runStack("admin", { configure: withAdmin((a) => (a.ciRunners.nodePool = "builds")) })).rejects.toThrow(
      /platform:admin\.ciRunners\.nodePool = "builds": expected the name of one of cluster\.nodePools/,
    );
  });

  test("Dex names groups by sAMAccountName only, and a directory group name may not end with a period", async () => {
    const withGroupAttribute = (attribute: string) =>
      withAdmin((a) => (a.dex.ldap.groupSearch = { ...a.dex.ldap.groupSearch, nameAttr: attribute }));
    await expect(runStack("admin", { configure: withGroupAttribute("cn") })).rejects.toThrow(
      /platform:admin\.dex\.ldap\.groupSearch\.nameAttr = "cn": expected sAMAccountName, the group name Active Directory keeps unique in the domain/,
    );
    await expect(runStack("admin", { configure: (c) => (c["platform:identity"].auditorGroup = "platform-auditors.") })).rejects.toThrow(
      /platform:identity\.auditorGroup = "platform-auditors\.": expected a directory group name that does not end with a period/,
    );
  });

  test("the hub needs cert-manager: the load balancer controller that builds Dex's NLB comes with it", async () => {
    await expect(runStack("admin", { configure: (c) => (c["platform:services"].certManager = { enabled: false }) })).rejects.toThrow(
      /platform:services\.certManager\.enabled = false: expected true on the hub: Dex's public NLB is built by the AWS Load Balancer Controller/,
    );
  });

  test("Dex's name lies in the admin zone, and the VPN client range has a size AWS accepts", async () => {
    await expect(runStack("admin", { configure: withAdmin((a) => (a.dexHostname = "dex.example.org")) })).rejects.toThrow(
      /platform:admin\.dexHostname = "dex\.example\.org": expected a name inside admin\.platform\.example\.com/,
    );
    await expect(runStack("admin", { configure: withAdmin((a) => (a.vpn.clientCidr = "10.255.0.0/24")) })).rejects.toThrow(
      /platform:admin\.vpn\.clientCidr = "10\.255\.0\.0\/24": expected a CIDR from \/12 to \/22/,
    );
  });

  test("a custom Dex name is the issuer, the certificate and the record; an access group restricts the VPN to that group", async () => {
    const sid = "S-1-5-21-1004336348-1177238915-682003330-1120";
    const run = await runStack("admin", {
      configure: withAdmin((a) => {
        a.dexHostname = "sso.admin.platform.example.com";
        a.vpn.accessGroupSid = sid;
      }),
    });
    expect(run.outputs.dexIssuerUrl).toBe("https://sso.admin.platform.example.com");
    expect(run.one("kubernetes:helm.sh/v4:Chart", "dex-chart").inputs.values.config.issuer).toBe("https://sso.admin.platform.example.com");
    expect(run.one("aws:acm/certificate:Certificate", "dex-certificate").inputs.domainName).toBe("sso.admin.platform.example.com");
    expect(run.one("aws:route53/record:Record", "dex-dns").inputs.name).toBe("sso.admin.platform.example.com");
    for (const rule of run.ofType("aws:ec2clientvpn/authorizationRule:AuthorizationRule")) {
      expect(rule.inputs).toMatchObject({ accessGroupId: sid });
      expect(rule.inputs.authorizeAllGroups).toBeUndefined();
    }
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
