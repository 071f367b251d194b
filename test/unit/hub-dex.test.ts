/**
 * Dex on the hub: the pinned chart issuing under the URL admin exports, sign-in against the directory, a client
 * per environment's Grafana and Kibana, and its public NLB, certificate and DNS name that the login proxies wait for.
 */
import { CHARTS, IMAGES, splitImage } from "../../lib/versions";
import { runStack, StackRun } from "../../mock-engine";
import { admin, ENVIRONMENTS } from "./hub-fixtures";

let hub: StackRun;
beforeAll(async () => {
  hub = await runStack("admin");
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
