import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NetworkConfig } from "../../config/sections/network";
import { Naming } from "../../lib/naming";

export interface VpcEndpointsArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly region: string;
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  /** One per AZ: interface endpoints place a network interface in each. */
  readonly privateSubnetIds: pulumi.Input<string>[];
  /** The private route tables, whose S3 traffic the gateway endpoint takes off the NAT gateways. */
  readonly privateRouteTableIds: pulumi.Input<string>[];
  readonly interfaceServices: NetworkConfig["interfaceEndpoints"];
}

const serviceName = (region: string, service: string) => `com.amazonaws.${region}.${service}`;

/**
 * Private paths to AWS services, so that their traffic does not pay NAT gateway data processing:
 * - S3 through a gateway endpoint in every VPC. It has no hourly or data charge, and ECR serves image layers
 *   from S3, so most of an image pull leaves the NAT path even without the ECR endpoints.
 * - ECR (api, dkr) and STS through interface endpoints where config lists them: billed per AZ-hour and per GB,
 *   worth it where pulls and IRSA token exchanges are many (prod, and stage, which mimics it). Private DNS makes
 *   the regional names resolve to them, so nothing in the cluster is configured differently.
 */
export class VpcEndpoints extends pulumi.ComponentResource {
  constructor(name: string, args: VpcEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:VpcEndpoints", name, {}, opts);
    const { naming } = args;
    const childOpts = { parent: this, provider: args.awsProvider };

    new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: args.vpcId,
        serviceName: serviceName(args.region, "s3"),
        vpcEndpointType: "Gateway",
        routeTableIds: args.privateRouteTableIds,
        tags: { Name: naming.resource("s3") },
      },
      childOpts,
    );

    if (args.interfaceServices.length > 0) interfaceEndpoints(name, args, childOpts);
    this.registerOutputs({});
  }
}

function interfaceEndpoints(name: string, args: VpcEndpointsArgs, opts: pulumi.CustomResourceOptions): void {
  const { naming } = args;
  // HTTPS from the VPC only: nodes, pods (VPC addresses, or masqueraded behind their node with Calico as the
  // CNI) and the control plane's interfaces all have VPC addresses.
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-interface`,
    {
      name: naming.resource("vpc-endpoints"),
      description: "AWS interface endpoints: HTTPS from the VPC",
      vpcId: args.vpcId,
      tags: { Name: naming.resource("vpc-endpoints") },
    },
    opts,
  );
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-interface-https`,
    {
      securityGroupId: securityGroup.id,
      cidrIpv4: args.vpcCidr,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS from the VPC",
    },
    opts,
  );
  for (const service of args.interfaceServices) {
    const label = service.replace(".", "-");
    new aws.ec2.VpcEndpoint(
      `${name}-${label}`,
      {
        vpcId: args.vpcId,
        serviceName: serviceName(args.region, service),
        vpcEndpointType: "Interface",
        subnetIds: args.privateSubnetIds,
        securityGroupIds: [securityGroup.id],
        privateDnsEnabled: true,
        tags: { Name: naming.resource(label) },
      },
      opts,
    );
  }
}
