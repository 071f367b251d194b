import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";

export interface TransitSpokeArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  /** The hub's Transit Gateway, shared with this account through RAM. */
  readonly transitGatewayId: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string>[];
  readonly routeTableIds: pulumi.Input<string>[];
  /** The hub's VPC CIDR: CI runners and VPN users arrive from there. */
  readonly hubCidr: pulumi.Input<string>;
  /** Security group of the cluster's private API endpoint. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
}

/**
 * An environment's side of the hub: its VPC attached to the hub's Transit Gateway, a route to the hub in
 * each private route table, and HTTPS from the hub to the private API endpoint (for CI and VPN users).
 * Only the hub's CIDR is routed: other environments stay unreachable from here.
 */
export class TransitSpoke extends pulumi.ComponentResource {
  readonly attachmentId: pulumi.Output<string>;

  constructor(name: string, args: TransitSpokeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:transit:TransitSpoke", name, {}, opts);
    const { naming } = args;
    const childOpts = { parent: this, provider: args.awsProvider };

    const attachment = new aws.ec2transitgateway.VpcAttachment(
      `${name}-attachment`,
      { transitGatewayId: args.transitGatewayId, vpcId: args.vpcId, subnetIds: args.subnetIds, dnsSupport: "enable", tags: { Name: naming.resource("hub") } },
      childOpts,
    );
    this.attachmentId = attachment.id;
    args.routeTableIds.forEach(
      (routeTableId, i) =>
        new aws.ec2.Route(
          `${name}-route-${i}`,
          { routeTableId, destinationCidrBlock: args.hubCidr, transitGatewayId: args.transitGatewayId },
          // Until the attachment is available the gateway is not a valid target of this VPC's routes.
          { ...childOpts, dependsOn: attachment },
        ),
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-api-from-hub`,
      { securityGroupId: args.clusterSecurityGroupId, cidrIpv4: args.hubCidr, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "Kubernetes API from the hub (CI, VPN)" },
      childOpts,
    );

    this.registerOutputs({ attachmentId: this.attachmentId });
  }
}
