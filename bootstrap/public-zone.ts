import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentAccount } from "./environments";

export interface PublicZoneArgs {
  readonly account: EnvironmentAccount;
  readonly provider: aws.Provider;
}

/**
 * The environment's public zone `<env>.<domain>`, where the program keeps its names (Dex, the dashboards, the
 * environment's certificate validation, external-dns). Its parent zone delegates to it: an NS record named like
 * the zone, listing its four name servers (Route 53 Developer Guide, "Routing traffic for subdomains"). Protected:
 * a new zone gets other name servers, and the delegation would point at nothing.
 */
export class PublicZone extends pulumi.ComponentResource {
  readonly name: string;
  readonly zoneId: pulumi.Output<string>;
  readonly zoneArn: pulumi.Output<string>;
  readonly nameServers: pulumi.Output<string[]>;

  constructor(name: string, args: PublicZoneArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:bootstrap:PublicZone", name, {}, opts);
    const { account } = args;
    this.name = `${account.stack}.${account.domain}`;
    const zone = new aws.route53.Zone(
      `${name}-zone`,
      { name: this.name, comment: `Public names of the ${account.stack} environment (bootstrap)`, forceDestroy: false },
      { parent: this, provider: args.provider, protect: true },
    );
    this.zoneId = zone.zoneId;
    this.zoneArn = zone.arn;
    this.nameServers = zone.nameServers;
    this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers });
  }
}

/** The record to add to the parent zone, as `aws route53 change-resource-record-sets --change-batch` takes it. */
export function delegation(zoneName: string, nameServers: readonly string[]): Record<string, unknown> {
  return {
    Changes: [
      {
        Action: "UPSERT",
        ResourceRecordSet: { Name: zoneName, Type: "NS", TTL: 172800, ResourceRecords: nameServers.map((Value) => ({ Value })) },
      },
    ],
  };
}
