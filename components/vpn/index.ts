import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AdminConfig } from "../../config/sections/hub";
import { Naming } from "../../lib/naming";

export interface ClientVpnArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly vpn: AdminConfig["vpn"];
  /** The endpoint's server certificate in ACM: `vpn.serverCertificateArn`, or the admin environment's own. */
  readonly serverCertificateArn: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  /** One association per subnet (one per AZ), so the endpoint survives the loss of an AZ. */
  readonly subnetIds: pulumi.Input<string>[];
  /** Environment networks reached through the Transit Gateway. */
  readonly spokes: { name: string; vpcCidr: string }[];
  /** Keep the connection log when the stack is destroyed: it records who connected when. */
  readonly retainLogs: boolean;
  /** Security group of the admin cluster's private API endpoint (its interfaces only), opened to VPN users. */
  readonly apiSecurityGroupId: pulumi.Input<string>;
}

/** A working day: people sign in again each morning against the directory. */
const SESSION_TIMEOUT_HOURS = 12;

/**
 * The consolidated VPN: an AWS Client VPN endpoint in the admin VPC. Managed rather than in-cluster, so that
 * reaching the clusters never depends on one of them running; it authenticates against Active Directory
 * through AWS Directory Service (the same directory Dex uses) and logs every connection. Split tunnel: only
 * the admin and environment networks go through it. Client traffic leaves the endpoint source-NATed to its
 * interfaces in the admin subnets, so the environments see (and route back to) admin addresses only.
 */
export class ClientVpn extends pulumi.ComponentResource {
  readonly endpointId: pulumi.Output<string>;
  readonly clientCidr: string;

  constructor(name: string, args: ClientVpnArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:vpn:ClientVpn", name, {}, opts);
    const { naming, vpn } = args;
    const childOpts = { parent: this, provider: args.awsProvider };
    this.clientCidr = vpn.clientCidr;
    const destinations = [{ name: naming.environment, vpcCidr: args.vpcCidr }, ...args.spokes];

    const logs = new aws.cloudwatch.LogGroup(
      `${name}-connections`,
      { name: `/aws/client-vpn/${naming.resource("vpn")}`, retentionInDays: vpn.connectionLogRetentionDays },
      { ...childOpts, retainOnDelete: args.retainLogs },
    );
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        name: naming.resource("client-vpn"),
        description: "Client VPN: egress to the routed networks only",
        vpcId: args.vpcId,
        tags: { Name: naming.resource("client-vpn") },
      },
      childOpts,
    );
    for (const destination of destinations) {
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-egress-${destination.name}`,
        {
          securityGroupId: securityGroup.id,
          cidrIpv4: destination.vpcCidr,
          ipProtocol: "-1",
          description: `VPN clients to ${destination.name}`,
        },
        childOpts,
      );
    }

    new aws.vpc.SecurityGroupIngressRule(
      `${name}-api-from-vpn`,
      {
        securityGroupId: args.apiSecurityGroupId,
        referencedSecurityGroupId: securityGroup.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: "Kubernetes API from VPN users",
      },
      childOpts,
    );

    const endpoint = new aws.ec2clientvpn.Endpoint(
      `${name}-endpoint`,
      {
        description: naming.resource("vpn"),
        clientCidrBlock: vpn.clientCidr,
        serverCertificateArn: args.serverCertificateArn,
        authenticationOptions: [{ type: "directory-service-authentication", activeDirectoryId: vpn.directoryId }],
        connectionLogOptions: { enabled: true, cloudwatchLogGroup: logs.name },
        splitTunnel: true,
        vpcId: args.vpcId,
        securityGroupIds: [securityGroup.id],
        dnsServers: vpn.dnsServers.length > 0 ? vpn.dnsServers : undefined,
        sessionTimeoutHours: SESSION_TIMEOUT_HOURS,
        selfServicePortal: "disabled",
        tags: { Name: naming.resource("vpn") },
      },
      childOpts,
    );
    this.endpointId = endpoint.id;

    const associations = args.subnetIds.map(
      (subnetId, i) =>
        new aws.ec2clientvpn.NetworkAssociation(`${name}-subnet-${i}`, { clientVpnEndpointId: endpoint.id, subnetId }, childOpts),
    );
    // Who may reach what: members of the configured directory group only, never every user the directory
    // authenticates (authorizeAllGroups); the clusters' own authentication (Dex, RBAC) then decides what they
    // can do there. With directory authentication, accessGroupId is the AD group's SID.
    for (const destination of destinations) {
      new aws.ec2clientvpn.AuthorizationRule(
        `${name}-allow-${destination.name}`,
        {
          clientVpnEndpointId: endpoint.id,
          targetNetworkCidr: destination.vpcCidr,
          accessGroupId: vpn.accessGroupSid,
          description: `VPN users to ${destination.name}`,
        },
        childOpts,
      );
    }
    // The admin VPC's own route comes with each association; the environments need one per association,
    // so that either AZ can carry their traffic.
    for (const spoke of args.spokes) {
      associations.forEach(
        (association, i) =>
          new aws.ec2clientvpn.Route(
            `${name}-route-${spoke.name}-${i}`,
            {
              clientVpnEndpointId: endpoint.id,
              destinationCidrBlock: spoke.vpcCidr,
              targetVpcSubnetId: association.subnetId,
              description: `${spoke.name} through the Transit Gateway`,
            },
            childOpts,
          ),
      );
    }

    this.registerOutputs({ endpointId: this.endpointId, clientCidr: this.clientCidr });
  }
}
