/**
 * A team's names on TLS: an ACM certificate for `*.<team>.<env>.<domain>`, validated in the environment's zone. The
 * environment's certificate (`*.<env>.<domain>`, EnvironmentDns) covers the team's domain itself but no name under
 * it: a wildcard stands for one label only (RFC 6125 section 6.4.3; ACM User Guide, "Wildcard names"), and admission
 * gives a team its domain and every name under it (components/tenancy/admission). The load balancer controller finds
 * the certificate of an Ingress's TLS hosts in ACM by itself (aws-load-balancer-controller docs,
 * guide/ingress/cert_discovery.md), so a team's HTTPS Ingress names no certificate.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { TeamConfig } from "../../config/sections/tenancy";
import { Naming } from "../../lib/naming";
import { dnsValidatedCertificate } from "./certificate";

export interface TeamCertificateArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly team: TeamConfig;
  /** The environment's public zone, `<env>.<domain>`, where the team's names are published and validated. */
  readonly hostedZoneId: string;
}

export class TeamCertificate extends pulumi.ComponentResource {
  readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: TeamCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:dns:TeamCertificate", name, {}, opts);
    const domainName = `*.${args.naming.teamDomain(args.team.name)}`;
    this.certificateArn = dnsValidatedCertificate(
      name,
      { domainName, hostedZoneId: args.hostedZoneId, tags: { ...args.naming.tags(args.team), Name: domainName } },
      { parent: this, provider: args.awsProvider },
    );
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}
