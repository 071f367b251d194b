/** Client VPN users are authorized by directory group, never as "every user the directory authenticates". */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { described } from "../catalogue";

const AUTHORIZATION_RULE = "aws:ec2clientvpn/authorizationRule:AuthorizationRule";

export const clientVpnGroupAuthorization: ResourceValidationPolicy = {
  ...described("aws-client-vpn-group-authorization"),
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
