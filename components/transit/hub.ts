import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SpokeConfig } from "../../config/sections/hub";
import { Naming } from "../../lib/naming";

export interface TransitHubArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets, one per AZ: the attachment places an interface in each. */
  readonly subnetIds: pulumi.Input<string>[];
  /** Private route tables of the admin VPC; each gets a route to every spoke. */
  readonly routeTableIds: pulumi.Input<string>[];
  readonly spokes: SpokeConfig[];
  /**
   * Where the hub's deploy runners come from: the admin private subnets (their nodes, and the pods' traffic the
   * VPC CNI source-NATs to those nodes; VPN users are source-NATed into the same subnets). The environments open
   * their API to these ranges only, through a prefix list shared with them.
   */
  readonly deployRunnerCidrs: string[];
  /** `protect` the Transit Gateway: every environment's access to the hub hangs on it. */
  readonly protect: boolean;
}

/**
 * The Transit Gateway of the hub, shared with the environment accounts through RAM. Environments attach
 * themselves (their stacks read its id from this stack), so this stack never depends on theirs.
 * Attachments are accepted automatically (only the accounts named in `spokes` can see the gateway) and
 * all use the default route table, whose routes each attachment propagates. Environments cannot reach
 * one another all the same: their VPCs route only the hub's CIDR to the gateway.
 */
export class TransitHub extends pulumi.ComponentResource {
  readonly transitGatewayId: pulumi.Output<string>;
  readonly resourceShareArn: pulumi.Output<string>;
  /** Prefix list of `deployRunnerCidrs`, shared with the spoke accounts for their API security group. */
  readonly deployRunnerPrefixListId: pulumi.Output<string>;

  constructor(name: string, args: TransitHubArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:transit:TransitHub", name, {}, opts);
    const { naming } = args;
    const childOpts = { parent: this, provider: args.awsProvider };

    const gateway = new aws.ec2transitgateway.TransitGateway(
      `${name}-tgw`,
      {
        description: `Hub of the ${naming.environment} environment and its spokes`,
        autoAcceptSharedAttachments: "enable",
        defaultRouteTableAssociation: "enable",
        defaultRouteTablePropagation: "enable",
        dnsSupport: "enable",
        tags: { Name: naming.resource("tgw") },
      },
      { ...childOpts, protect: args.protect },
    );
    this.transitGatewayId = gateway.id;

    // Within one AWS Organization (with RAM sharing enabled) the share needs no invitation to accept;
    // external accounts are refused, so the gateway cannot leak outside the organization.
    const share = new aws.ram.ResourceShare(
      `${name}-share`,
      { name: naming.resource("tgw"), allowExternalPrincipals: false, tags: { Name: naming.resource("tgw") } },
      childOpts,
    );
    this.resourceShareArn = share.arn;
    new aws.ram.ResourceAssociation(`${name}-share-tgw`, { resourceArn: gateway.arn, resourceShareArn: share.arn }, childOpts);
    for (const spoke of args.spokes) {
      new aws.ram.PrincipalAssociation(
        `${name}-share-${spoke.name}`,
        { principal: spoke.accountId, resourceShareArn: share.arn },
        childOpts,
      );
    }
    // One list the spokes reference by id, so that the hub decides its ranges and a spoke's rule never holds
    // the whole hub CIDR. Customer-managed prefix lists are shareable through RAM, and a shared list can be
    // referenced in the receiving account's security group rules (each rule counts maxEntries against quota).
    const deployRunners = new aws.ec2.ManagedPrefixList(
      `${name}-deploy-runners`,
      {
        name: naming.resource("deploy-runners"),
        addressFamily: "IPv4",
        maxEntries: args.deployRunnerCidrs.length,
        entries: args.deployRunnerCidrs.map((cidr) => ({ cidr, description: "admin private subnet (deploy runners, VPN users)" })),
        tags: { Name: naming.resource("deploy-runners") },
      },
      childOpts,
    );
    new aws.ram.ResourceAssociation(
      `${name}-share-deploy-runners`,
      { resourceArn: deployRunners.arn, resourceShareArn: share.arn },
      childOpts,
    );
    this.deployRunnerPrefixListId = deployRunners.id;

    const attachment = new aws.ec2transitgateway.VpcAttachment(
      `${name}-attachment`,
      {
        transitGatewayId: gateway.id,
        vpcId: args.vpcId,
        subnetIds: args.subnetIds,
        dnsSupport: "enable",
        tags: { Name: naming.resource("tgw") },
      },
      childOpts,
    );
    args.routeTableIds.forEach((routeTableId, i) => {
      for (const spoke of args.spokes) {
        new aws.ec2.Route(
          `${name}-route-${i}-${spoke.name}`,
          { routeTableId, destinationCidrBlock: spoke.vpcCidr, transitGatewayId: gateway.id },
          // A route to a gateway the VPC is not attached to is rejected.
          { ...childOpts, dependsOn: attachment },
        );
      }
    });

    this.registerOutputs({
      transitGatewayId: this.transitGatewayId,
      resourceShareArn: this.resourceShareArn,
      deployRunnerPrefixListId: this.deployRunnerPrefixListId,
    });
  }
}
