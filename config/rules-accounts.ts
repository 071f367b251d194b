/**
 * ARNs must point where the stack deploys. A role or certificate pasted from another environment's file passes
 * every format check and then fails (or, worse, works against the wrong account) in the middle of a deployment.
 */
import type { Rule, Violation } from "./rules";

/** `arn:<partition>:<service>:<region>:<account>:<resource>` */
function arnParts(arn: string): { region: string; account: string; resource: string } {
  const [, , , region = "", account = "", ...resource] = arn.split(":");
  return { region, account, resource: resource.join(":") };
}

/** The provider only accepts credentials of `aws.accountId` (allowedAccountIds), and it assumes the deploy role. */
const deployRoleIsInTheAccount: Rule = (c) => {
  if (!c.aws) return [];
  const { account } = arnParts(c.aws.deployRoleArn);
  return account === c.aws.accountId
    ? []
    : [{ path: "aws.deployRoleArn", expected: `a role in aws.accountId ${c.aws.accountId} (this ARN is in ${account}): the provider refuses credentials of any other account` }];
};

/**
 * Each admin role gets an EKS access entry named after the role (components/cluster/eks-access.ts), so two
 * different ARNs ending in one role name (another account, another path) would collide as resources.
 */
const adminRolesHaveDistinctNames: Rule = (c) => {
  if (c.cluster.mode !== "eks" || !c.aws) return [];
  const violations: Violation[] = [];
  const owners = new Map<string, string>([[c.aws.deployRoleArn.split("/").pop()!, c.aws.deployRoleArn]]);
  c.cluster.adminRoleArns.forEach((arn, i) => {
    const name = arn.split("/").pop()!;
    const owner = owners.get(name);
    if (owner !== undefined && owner !== arn) {
      violations.push({ path: `cluster.adminRoleArns[${i}]`, expected: `a role whose name differs from ${owner}'s: each admin role's access entry is named after the role` });
    }
    owners.set(name, owner ?? arn);
  });
  return violations;
};

/** AWS Client VPN takes a server certificate from ACM in the endpoint's own Region and account. */
const vpnCertificateIsLocal: Rule = (c) => {
  if (!c.admin || !c.aws) return [];
  const { region, account } = arnParts(c.admin.vpn.serverCertificateArn);
  if (region === c.aws.region && account === c.aws.accountId) return [];
  return [
    {
      path: "admin.vpn.serverCertificateArn",
      expected: `an ACM certificate in aws.region ${c.aws.region} and aws.accountId ${c.aws.accountId} (this one is in ${region}, ${account}): Client VPN uses certificates of its own Region and account`,
    },
  ];
};

/** The CI role assumes each spoke's deploy role to deploy it; a role of another account deploys somewhere else. */
const spokeRolesAreInTheirAccounts: Rule = (c) => {
  if (!c.admin) return [];
  return c.admin.spokes.flatMap((spoke, i): Violation[] => {
    const { account } = arnParts(spoke.deployRoleArn);
    return account === spoke.accountId
      ? []
      : [{ path: `admin.spokes[${i}].deployRoleArn`, expected: `a role in the spoke's accountId ${spoke.accountId} (this ARN is in ${account})` }];
  });
};

export const ACCOUNT_RULES: Rule[] = [deployRoleIsInTheAccount, adminRolesHaveDistinctNames, vpnCertificateIsLocal, spokeRolesAreInTheirAccounts];
