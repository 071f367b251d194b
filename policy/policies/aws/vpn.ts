/** Client VPN users are authorized by directory group, never as "every user the directory authenticates". */
import type { ResourceValidationPolicy } from "@pulumi/policy";

const AUTHORIZATION_RULE = "aws:ec2clientvpn/authorizationRule:AuthorizationRule";

export const clientVpnGroupAuthorization: ResourceValidationPolicy = {
  name: "aws-client-vpn-group-authorization",
  description: "Client VPN authorization rules name a directory group (accessGroupId) and never authorize all groups.",
  severity: "high",
  validateResource: (args, reportViolation) => {
    if (args.type !== AUTHORIZATION_RULE) return;
    if (args.props.authorizeAllGroups === true) {
      reportViolation(
        `Authorization rule to ${args.props.targetNetworkCidr} admits every user the directory authenticates (authorizeAllGroups): name a group in accessGroupId.`,
      );
    } else if (!args.props.accessGroupId) {
      reportViolation(`Authorization rule to ${args.props.targetNetworkCidr} names no directory group: set accessGroupId.`);
    }
  },
};
