/**
 * Who reaches what over the network: no node role for any pod (hop limit 1 on every pool, an egress guard in the
 * runners' namespace), VPN access by directory group only, and the spokes' API open to the hub's deploy runners
 * only, on a security group of the API endpoint's own.
 */
import { layoutSubnets } from "../../lib/cidr";
import { EKS_STACKS, readStackConfig, runStack, StackRun } from "../../mock-engine";
import { violationsOf } from "../config-errors";
import { defaultHubOutputs } from "../../mock-engine/provider-answers";
import { runsBeforeAll } from "../stack-runs";

const runs = runsBeforeAll(EKS_STACKS);

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const hopLimit = (run: StackRun, pool: string) => run.one(LAUNCH_TEMPLATE, `node-pools-${pool}`).inputs.metadataOptions;
const admin = readStackConfig("admin");

describe("build pods cannot obtain the node role", () => {
  test("every pool's nodes answer IMDS on the node only (hop limit 1), the CI build pool's included", () => {
    for (const stack of EKS_STACKS) {
      for (const pool of readStackConfig(stack)["platform:cluster"].nodePools) {
        expect([stack, pool.name, hopLimit(runs[stack], pool.name)]).toEqual([
          stack,
          pool.name,
          { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        ]);
      }
    }
  });

  test("no config opens instance metadata to a pool's pods", async () => {
    const lines = await violationsOf("prod", (c) => (c["platform:cluster"].nodePools[1].metadataHopLimit = 2));
    expect(lines).toEqual([expect.stringMatching(/platform:cluster\.nodePools\[1\]\.metadataHopLimit = 2: expected a known key/)]);
  });
});

describe("the Client VPN authorizes by directory group only", () => {
  test("every authorization rule names the configured AD group; none authorizes all groups", () => {
    const rules = runs.admin.ofType("aws:ec2clientvpn/authorizationRule:AuthorizationRule");
    expect(rules.length).toBe(1 + admin["platform:admin"].spokes.length);
    for (const rule of rules) {
      expect(rule.inputs.accessGroupId).toBe(admin["platform:admin"].vpn.accessGroupSid);
      expect(rule.inputs.authorizeAllGroups).toBeUndefined();
    }
  });

  test("an admin stack without vpn.accessGroupSid is a config error", async () => {
    await expect(runStack("admin", { configure: (c) => delete c["platform:admin"].vpn.accessGroupSid })).rejects.toThrow(
      /platform:admin\.vpn\.accessGroupSid/,
    );
  });
});

describe("a spoke's API accepts the hub's deploy runners only", () => {
  test("admin shares a prefix list of its private subnets (deploy runners, VPN users) with the spoke accounts", () => {
    const network = admin["platform:network"];
    const list = runs.admin.one("aws:ec2/managedPrefixList:ManagedPrefixList", "transit-deploy-runners").inputs;
    expect(list.entries.map((e: { cidr: string }) => e.cidr)).toEqual(layoutSubnets(network.vpcCidr, network.azCount).privateCidrs);
    expect(list).toMatchObject({ addressFamily: "IPv4", maxEntries: network.azCount });
    const association = runs.admin.one("aws:ram/resourceAssociation:ResourceAssociation", "transit-share-deploy-runners");
    expect(association.dependencies).toContain(runs.admin.one("aws:ec2/managedPrefixList:ManagedPrefixList", "transit-deploy-runners").urn);
    expect(runs.admin.outputs.deployRunnerPrefixListId).toBe("transit-deploy-runners-id");
  });

  test.each(["e2e", "stage", "prod"] as const)(
    "%s: HTTPS to the API from that prefix list, on the API endpoint's own security group",
    (stack) => {
      const run = runs[stack];
      const apiGroup = run.one("aws:ec2/securityGroup:SecurityGroup", "cluster-api");
      expect(run.one("aws:eks/cluster:Cluster", "cluster-eks").inputs.vpcConfig.securityGroupIds).toEqual(["cluster-api-id"]);
      const rules = run.ofType(INGRESS_RULE).filter((r) => r.inputs.securityGroupId === "cluster-api-id");
      expect(rules.map((r) => r.inputs)).toEqual([
        expect.objectContaining({
          prefixListId: defaultHubOutputs.deployRunnerPrefixListId,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
        }),
      ]);
      expect(apiGroup.inputs.vpcId).toBe("network-vpc-id");
      // Nothing opens the cluster security group EKS shares with the nodes, and no rule takes the whole hub CIDR.
      for (const rule of run.ofType(INGRESS_RULE)) {
        expect(rule.inputs.securityGroupId).not.toMatch(/^sg-/);
        expect(rule.inputs.cidrIpv4).not.toBe(defaultHubOutputs.vpcCidr);
      }
    },
  );

  test("admin: VPN users reach the admin API through the same API security group", () => {
    const rule = runs.admin.one(INGRESS_RULE, "vpn-api-from-vpn").inputs;
    expect(rule).toMatchObject({ securityGroupId: "cluster-api-id", referencedSecurityGroupId: "vpn-sg-id", fromPort: 443, toPort: 443 });
  });
});
