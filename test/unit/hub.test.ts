import { CHARTS, IMAGES, splitImage } from "../../lib/versions";
import { defaultHubOutputs } from "../mocks";
import { readStackConfig, readTestSecrets, runStack, StackRun } from "../harness";
import { teamNamespaces } from "../../config/sections/tenancy";

const ENVIRONMENTS = ["e2e", "stage", "prod"] as const;
const admin = readStackConfig("admin")["platform:admin"];

/** prod reads a differently named admin stack with other outputs: what it uses must come from the reference. */
const OTHER_HUB = "acme/k8s-platform/hub";
const hubOutputsOf: Record<string, typeof defaultHubOutputs> = {
  e2e: defaultHubOutputs,
  stage: defaultHubOutputs,
  prod: {
    ...defaultHubOutputs,
    transitGatewayId: "tgw-0fedcba9876543210",
    ciRoleArn: "arn:aws:iam::555555555555:role/other-ci",
    dexIssuerUrl: "https://sso.example.org",
    vpcCidr: "10.1.0.0/16",
  },
};

let hub: StackRun;
const spokes: Record<string, StackRun> = {};
beforeAll(async () => {
  hub = await runStack("admin");
  for (const env of ENVIRONMENTS) {
    const configure = env === "prod" ? (c: Record<string, any>) => (c["platform:hub"].stack = OTHER_HUB) : undefined;
    spokes[env] = await runStack(env, { hubOutputs: hubOutputsOf[env], configure });
  }
});

describe("admin stack", () => {
  test("exports the Dex issuer URL, the Transit Gateway id and the CI role ARN", () => {
    const role = hub.one("aws:iam/role:Role", "ci-runners-deployer-role");
    expect(role.inputs.name).toBe("admin-ci-deployer");
    expect(hub.outputs.dexIssuerUrl).toBe("https://dex.admin.platform.example.com");
    expect(hub.outputs.transitGatewayId).toBe("transit-tgw-id");
    expect(hub.outputs.ciRoleArn).toMatch(/^arn:aws:iam:/);
    expect(hub.outputs.vpcCidr).toBe("10.0.0.0/16");
    expect(hub.outputs.vpnClientCidr).toBe(admin.vpn.clientCidr);
    expect(Object.keys(defaultHubOutputs).every((name) => name in hub.outputs)).toBe(true);
  });

  test("reads no other stack", () => {
    expect(hub.ofType("pulumi:pulumi:StackReference")).toEqual([]);
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
        nameAttr: "cn",
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
});

describe("CI runners", () => {
  test("deploy runners run in their own namespace under the IRSA CI role, which trusts only their service account", () => {
    const namespace = hub.one("kubernetes:core/v1:Namespace", "ci-runners-namespace").inputs.metadata;
    expect(namespace.name).toBe("ci-runners");
    const serviceAccount = hub.one("kubernetes:core/v1:ServiceAccount", "ci-runners-deployer").inputs.metadata;
    expect(serviceAccount).toMatchObject({ name: "ci-deployer", namespace: "ci-runners" });
    expect(serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBe(hub.outputs.ciRoleArn);

    const trust = JSON.parse(hub.one("aws:iam/role:Role", "ci-runners-deployer-role").inputs.assumeRolePolicy);
    const [statement] = trust.Statement;
    expect(statement.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(statement.Principal.Federated).toMatch(/:oidc-provider\/oidc\.eks\./);
    const conditions = statement.Condition.StringEquals;
    const issuer = Object.keys(conditions)
      .find((k) => k.endsWith(":sub"))!
      .replace(/:sub$/, "");
    expect(conditions).toEqual({
      [`${issuer}:sub`]: "system:serviceaccount:ci-runners:ci-deployer",
      [`${issuer}:aud`]: "sts.amazonaws.com",
    });
  });

  test("the CI role has no IAM permission at all: it cannot assume any environment's deploy role", () => {
    expect(hub.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.startsWith("ci-runners-deployer"))).toEqual([]);
    expect(hub.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((p) => p.name.startsWith("ci-runners-deployer"))).toEqual(
      [],
    );
  });

  test("the pinned controller manages the runners' namespace only; each scale set names it explicitly", () => {
    const controller = hub.one("kubernetes:helm.sh/v4:Chart", "ci-runners-controller").inputs;
    expect(controller).toMatchObject({
      chart: expect.stringMatching(/gha-runner-scale-set-controller$/),
      version: CHARTS.runnerController.version,
      namespace: "arc-systems",
    });
    expect(controller.values.flags.watchSingleNamespace).toBe("ci-runners");
    for (const scaleSet of ["admin-ci", "admin-deploy", "admin-platform"]) {
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
      });
    }
    const app = hub.one("kubernetes:core/v1:Secret", "ci-runners-github-app").inputs;
    expect(app.metadata).toMatchObject({ name: "github-app", namespace: "ci-runners" });
    expect(Object.keys(app.stringData).sort()).toEqual(["github_app_id", "github_app_installation_id", "github_app_private_key"]);
  });

  test("build runners are privileged on the reserved pool with the push role only (image-path.test.ts); deploy runners are neither", () => {
    const build = hub.one("kubernetes:helm.sh/v4:Chart", "ci-runners-admin-ci").inputs.values;
    expect(build).toMatchObject({ minRunners: admin.ciRunners.minRunners, maxRunners: admin.ciRunners.maxRunners });
    expect(build.template.spec.nodeSelector).toEqual({ "platform.example.io/pool": "ci" });
    expect(build.template.spec.tolerations).toEqual([
      { key: "platform.example.io/ci", operator: "Equal", value: "true", effect: "NoSchedule" },
    ]);
    expect(build.template.spec.serviceAccountName).toBe("ci-builder");
    expect(build.template.spec.initContainers.find((c: any) => c.name === "dind")).toMatchObject({
      image: `${hub.outputs.registryHost}/docker-hub/library/${IMAGES.dockerDind}`,
      securityContext: { privileged: true },
    });

    const deploy = hub.one("kubernetes:helm.sh/v4:Chart", "ci-runners-admin-deploy").inputs.values;
    expect(deploy).toMatchObject({
      runnerGroup: admin.ciRunners.deploy.runnerGroup,
      minRunners: 0,
      maxRunners: admin.ciRunners.deploy.maxRunners,
    });
    expect(deploy.template.spec.serviceAccountName).toBe("ci-deployer");
    expect(deploy.template.spec.tolerations).toBeUndefined();
    expect(JSON.stringify(deploy.template)).not.toContain("privileged");
  });

  test("platform delivery runners (this repository's previews and deploys) hold no cloud role and no API token", () => {
    const platform = hub.one("kubernetes:helm.sh/v4:Chart", "ci-runners-admin-platform").inputs.values;
    expect(platform).toMatchObject({
      runnerGroup: "platform-delivery",
      minRunners: 0,
      maxRunners: admin.ciRunners.platform?.maxRunners ?? 4,
    });
    expect(platform.template.spec.serviceAccountName).toBe("platform-delivery");
    expect(platform.template.spec.tolerations).toBeUndefined();
    expect(JSON.stringify(platform.template)).not.toContain("privileged");
    const account = hub.one("kubernetes:core/v1:ServiceAccount", "ci-runners-platform").inputs;
    expect(account.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toBeUndefined();
    expect(account.automountServiceAccountToken).toBe(false);
    expect(hub.outputs.ciRunnerScaleSets).toEqual({ build: "admin-ci", deploy: "admin-deploy", platform: "admin-platform" });
  });
});

describe("Client VPN", () => {
  test("authenticates against the directory and logs every connection", () => {
    const endpoint = hub.one("aws:ec2clientvpn/endpoint:Endpoint", "vpn-endpoint").inputs;
    expect(endpoint.authenticationOptions).toEqual([
      { type: "directory-service-authentication", activeDirectoryId: admin.vpn.directoryId },
    ]);
    expect(endpoint).toMatchObject({
      clientCidrBlock: admin.vpn.clientCidr,
      serverCertificateArn: admin.vpn.serverCertificateArn,
      splitTunnel: true,
    });
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

  test("through one StackReference to the configured admin stack", () => {
    const expected = env === "prod" ? OTHER_HUB : readStackConfig(env)["platform:hub"].stack;
    expect(
      run()
        .ofType("pulumi:pulumi:StackReference")
        .map((r) => r.inputs.name),
    ).toEqual([expected]);
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

  test("its API server trusts the hub's Dex issuer", () => {
    const [idp] = run().ofType("aws:eks/identityProviderConfig:IdentityProviderConfig");
    expect(idp.inputs.oidc).toMatchObject({ issuerUrl: hubOutputs.dexIssuerUrl, clientId: "kubernetes", groupsClaim: "groups" });
  });

  test("grants the hub's CI role a developer's rights in each team namespace, and HTTPS from the hub's deploy runners to the API", () => {
    const entry = run().one("aws:eks/accessEntry:AccessEntry", "ci-access-entry").inputs;
    expect(entry).toMatchObject({ principalArn: hubOutputs.ciRoleArn, type: "STANDARD", kubernetesGroups: ["platform:ci-deployers"] });
    // No EKS access policy: the team namespaces bind the entry's group, in whichever stack carries the team.
    expect(
      run()
        .ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
        .filter((a) => a.inputs.principalArn === hubOutputs.ciRoleArn),
    ).toEqual([]);
    const teams = readStackConfig(env)["platform:teams"].flatMap(teamNamespaces);
    const ciBindings = run()
      .ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
      .filter((b) => b.inputs.metadata.name === "team-ci-deploy")
      .map((b) => b.inputs);
    expect(ciBindings.map((b) => b.metadata.namespace).sort()).toEqual([...teams].sort());
    for (const binding of ciBindings) {
      expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "developer" });
      expect(binding.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "platform:ci-deployers" }]);
    }
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
