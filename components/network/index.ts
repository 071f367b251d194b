import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NetworkConfig } from "../../config/sections/network";
import { layoutSubnets } from "../../lib/cidr";
import { Naming } from "../../lib/naming";
import { availabilityZones } from "./availability-zones";
import { VpcEndpoints } from "./endpoints";
import { FlowLogs } from "./flow-logs";

export interface NetworkArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly network: NetworkConfig;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** Physical name of the EKS cluster that will live here: its load balancers find their subnets by this tag. */
  readonly clusterName: string;
  /** Keep the flow-log bucket when the stack is destroyed: traffic records are audit evidence. */
  readonly retainLogs: boolean;
}

/**
 * The environment's VPC: in each AZ a small public subnet (NAT gateway, internet-facing load balancers) and
 * a large private one (nodes, pods, internal load balancers, the control plane's network interfaces).
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: string;
  readonly availabilityZones: pulumi.Output<string[]>;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** Address ranges of the private subnets, in AZ order (known before anything exists). */
  readonly privateSubnetCidrs: string[];
  /** One per AZ, so that routes to other networks (the Transit Gateway) can be added next to the NAT route. */
  readonly privateRouteTableIds: pulumi.Output<string>[];
  /** The NAT gateways' public addresses: where this VPC's traffic to public endpoints comes from. */
  readonly natPublicIps: pulumi.Output<string>[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:Network", name, {}, opts);
    const { naming, network } = args;
    const childOpts = { parent: this, provider: args.awsProvider };
    const layout = layoutSubnets(network.vpcCidr, network.azCount);
    this.vpcCidr = network.vpcCidr;
    this.availabilityZones = availabilityZones(network.azCount, childOpts);

    // DNS hostnames and resolution are required by EKS: nodes register by their private DNS names and
    // resolve the private API endpoint through the VPC resolver.
    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: network.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: naming.resource("vpc") } },
      childOpts,
    );
    this.vpcId = vpc.id;
    // Taking over the default security group removes its allow-all rules, so nothing can fall back on it.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: { Name: naming.resource("default-deny") } }, childOpts);

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: naming.resource("igw") } }, childOpts);
    const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: { Name: naming.resource("public") } }, childOpts);
    new aws.ec2.Route(
      `${name}-public-default`,
      { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
      childOpts,
    );

    const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };
    const zones = layout.privateCidrs.map((privateCidr, i) => {
      const az = this.availabilityZones.apply((names) => names[i]);
      const subnet = (tier: "public" | "private", cidrBlock: string, roleTag: string) =>
        new aws.ec2.Subnet(
          `${name}-${tier}-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock,
            availabilityZone: az,
            // Nothing is launched into the public subnets with an address of its own; NAT gateways bring their EIP.
            mapPublicIpOnLaunch: false,
            tags: { Name: az.apply((zone) => naming.resource(tier, zone)), [roleTag]: "1", ...clusterTag },
          },
          childOpts,
        );
      const publicSubnet = subnet("public", layout.publicCidrs[i], "kubernetes.io/role/elb");
      const privateSubnet = subnet("private", privateCidr, "kubernetes.io/role/internal-elb");
      new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id }, childOpts);
      return { az, publicSubnet, privateSubnet };
    });

    // perAz: an AZ outage takes only its own NAT gateway with it. single: one NAT for the whole VPC (cheap).
    const natAddresses: pulumi.Output<string>[] = [];
    const natGateways = zones.slice(0, network.natGateways === "perAz" ? zones.length : 1).map(({ az, publicSubnet }, i) => {
      const tags = { Name: az.apply((zone) => naming.resource("nat", zone)) };
      const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags }, childOpts);
      natAddresses.push(eip.publicIp);
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        { allocationId: eip.id, subnetId: publicSubnet.id, connectivityType: "public", tags },
        { ...childOpts, dependsOn: [igw] },
      );
    });

    this.natPublicIps = natAddresses;

    const privateRoutes = zones.map(({ az, privateSubnet }, i) => {
      const routes = new aws.ec2.RouteTable(
        `${name}-private-${i}`,
        { vpcId: vpc.id, tags: { Name: az.apply((zone) => naming.resource("private", zone)) } },
        childOpts,
      );
      const nat = natGateways[Math.min(i, natGateways.length - 1)];
      new aws.ec2.Route(
        `${name}-private-${i}-default`,
        { routeTableId: routes.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
        childOpts,
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: privateSubnet.id, routeTableId: routes.id }, childOpts);
      return routes;
    });

    new VpcEndpoints(
      `${name}-endpoints`,
      {
        awsProvider: args.awsProvider,
        naming,
        region: args.region,
        vpcId: vpc.id,
        vpcCidr: network.vpcCidr,
        privateSubnetIds: zones.map((z) => z.privateSubnet.id),
        privateRouteTableIds: privateRoutes.map((r) => r.id),
        interfaceServices: network.interfaceEndpoints,
      },
      { parent: this },
    );

    if (network.flowLogs) {
      new FlowLogs(
        `${name}-flow-logs`,
        {
          awsProvider: args.awsProvider,
          naming,
          vpcId: vpc.id,
          accountId: args.accountId,
          region: args.region,
          partition: args.partition,
          retentionDays: network.flowLogs.retentionDays,
          retain: args.retainLogs,
        },
        { parent: this },
      );
    }

    this.publicSubnetIds = zones.map((z) => z.publicSubnet.id);
    this.privateSubnetIds = zones.map((z) => z.privateSubnet.id);
    this.privateSubnetCidrs = layout.privateCidrs;
    this.privateRouteTableIds = privateRoutes.map((r) => r.id);
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
  }
}
