/**
 * Admin's config rules: the refusals of a hub config that would not work (missing client secrets, overlapping
 * ranges, build runners on a shared pool, Dex's names), and a custom Dex name and VPN access group carried through.
 */
import { readTestSecrets, runStack } from "../../mock-engine";

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
