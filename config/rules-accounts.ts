/**
 * ARNs must point where the stack deploys. A role or certificate pasted from another environment's file passes
 * every format check and then fails (or, worse, works against the wrong account) in the middle of a deployment.
 */
import type { Rule, Violation } from "./violation";

/** `arn:<partition>:<service>:<region>:<account>:<resource>` */
function arnParts(arn: string): { region: string; account: string; resource: string } {
  const [, , , region = "", account = "", ...resource] = arn.split(":");
  return { region, account, resource: resource.join(":") };
}

/** The provider only accepts credentials of `aws.accountId` (allowedAccountIds); updates and previews run as these roles. */
const deliveryRolesAreInTheAccount: Rule = (c) => {
  if (!c.aws) return [];
  const roles = { deployRoleArn: c.aws.deployRoleArn, previewRoleArn: c.aws.previewRoleArn };
  return Object.entries(roles).flatMap(([key, arn]): Violation[] => {
    const { account } = arnParts(arn);
    return account === c.aws!.accountId
      ? []
      : [
          {
            path: `aws.${key}`,
            expected: `a role in aws.accountId ${c.aws!.accountId} (this ARN is in ${account}): the provider refuses credentials of any other account`,
          },
        ];
  });
};

/**
 * Each role gets an EKS access entry named after the role (components/cluster/eks-access.ts), so two different
 * ARNs ending in one role name (another account, another path) would collide as resources; the preview role is
 * no admin at all.
 */
const adminRolesHaveDistinctNames: Rule = (c) => {
  if (c.cluster.mode !== "eks" || !c.aws) return [];
  const violations: Violation[] = [];
  const owners = new Map<string, string>([c.aws.deployRoleArn, c.aws.previewRoleArn].map((arn) => [arn.split("/").pop()!, arn]));
  if (c.aws.deployRoleArn === c.aws.previewRoleArn || owners.size < 2) {
    violations.push({
      path: "aws.previewRoleArn",
      expected: `a role other than aws.deployRoleArn, named differently: previews must not hold deploy rights`,
    });
  }
  c.cluster.adminRoleArns.forEach((arn, i) => {
    const name = arn.split("/").pop()!;
    const owner = owners.get(name);
    if (owner !== undefined && owner !== arn) {
      violations.push({
        path: `cluster.adminRoleArns[${i}]`,
        expected: `a role whose name differs from ${owner}'s: each admin role's access entry is named after the role`,
      });
    }
    owners.set(name, owner ?? arn);
  });
  return violations;
};

/** AWS Client VPN takes a server certificate from ACM in the endpoint's own Region and account. */
const vpnCertificateIsLocal: Rule = (c) => {
  if (!c.admin?.vpn.serverCertificateArn || !c.aws) return [];
  const { region, account } = arnParts(c.admin.vpn.serverCertificateArn);
  if (region === c.aws.region && account === c.aws.accountId) return [];
  return [
    {
      path: "admin.vpn.serverCertificateArn",
      expected: `an ACM certificate in aws.region ${c.aws.region} and aws.accountId ${c.aws.accountId} (this one is in ${region}, ${account}): Client VPN uses certificates of its own Region and account`,
    },
  ];
};

export const ACCOUNT_RULES: Rule[] = [deliveryRolesAreInTheAccount, adminRolesHaveDistinctNames, vpnCertificateIsLocal];
