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
  /** The hub's VPC CIDR, routed through the Transit Gateway. */
  readonly hubCidr: pulumi.Input<string>;
  /** The hub's shared prefix list of its deploy runners' (and VPN users') source ranges. */
  readonly deployRunnerPrefixListId: pulumi.Input<string>;
  /** Security group of the cluster's private API endpoint (its interfaces only, not the nodes). */
  readonly apiSecurityGroupId: pulumi.Input<string>;
}

/**
 * An environment's side of the hub: its VPC attached to the hub's Transit Gateway, a route to the hub in
 * each private route table, and HTTPS to the private API endpoint from the hub's deploy runners and VPN users.
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
      {
        transitGatewayId: args.transitGatewayId,
        vpcId: args.vpcId,
        subnetIds: args.subnetIds,
        dnsSupport: "enable",
        tags: { Name: naming.resource("hub") },
      },
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
    // Admin's private subnets (its runners and VPN users arrive from there), not the whole hub CIDR, and on the API
    // endpoint's own group rather than the cluster group every node shares. Build runners sit in those subnets
    // too; their NetworkPolicy keeps them off the spokes (components/ci-runners/egress-guard.ts).
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-api-from-hub`,
      {
        securityGroupId: args.apiSecurityGroupId,
        prefixListId: args.deployRunnerPrefixListId,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: "Kubernetes API from the hub's deploy runners and VPN users",
      },
      childOpts,
    );

    this.registerOutputs({ attachmentId: this.attachmentId });
  }
}
