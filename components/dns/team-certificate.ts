/**
 * A team's names on TLS: an ACM certificate for `*.<team>.<env>.<domain>`, validated in the environment's zone. A
 * wildcard stands for exactly one label (RFC 6125 section 6.4.3; the load balancer controller matches a host to a
 * certificate only with as many labels, v3.5.0 `pkg/certs/cert_discovery.go`): the environment's certificate
 * (`*.<env>.<domain>`, EnvironmentDns) covers the team's domain itself, this one each name one label under it. The
 * controller finds them in ACM by the Ingress's hosts (aws-load-balancer-controller docs,
 * guide/ingress/cert_discovery.md), so a team's HTTPS Ingress on those names needs no certificate ARN; a name deeper
 * under the team's domain has no certificate, and its HTTPS Ingress is not reconciled (docs/services.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { TeamConfig } from "../../config/sections/tenancy";
import { Naming, teamCertificateDomainOf } from "../../lib/naming";
import { dnsValidatedCertificate } from "./certificate";

export interface TeamCertificateArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly team: TeamConfig;
  /** The environment's public zone, `<env>.<domain>`, where the team's names are published and validated. */
  readonly hostedZoneId: string;
}

export class TeamCertificate extends pulumi.ComponentResource {
  constructor(name: string, args: TeamCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:dns:TeamCertificate", name, {}, opts);
    const { naming, team } = args;
    dnsValidatedCertificate(
      name,
      {
        domainName: teamCertificateDomainOf(team.name, naming.environment, naming.domain),
        hostedZoneId: args.hostedZoneId,
        tags: naming.tags(team),
      },
      { parent: this, provider: args.awsProvider },
    );
    this.registerOutputs({});
  }
}
