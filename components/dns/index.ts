import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { throughMirror } from "../../lib/images";
import { CHARTS, chartSource } from "../../lib/versions";
import { chartServiceAccount, IrsaChartArgs } from "../irsa";
import { dnsValidatedCertificate } from "./certificate";
import { externalDnsPolicy } from "./policy";

const NAMESPACE = "kube-system";
/** The chart's image (external-dns 1.21.1 values.yaml); its tag stays the chart's appVersion. */
const EXTERNAL_DNS_IMAGE = "registry.k8s.io/external-dns/external-dns";

export interface EnvironmentDnsArgs extends IrsaChartArgs {
  /** The Route53 zone of `<env>.<domain>` (`environment.hostedZoneId`). */
  readonly hostedZoneId: string;
  /** Owner id of the records it creates, so that two clusters never fight over one name. */
  readonly clusterName: pulumi.Input<string>;
}

/**
 * Names and certificates for everything the environment publishes under `<env>.<domain>`: external-dns keeps a
 * record for each Ingress host and annotated LoadBalancer Service, and one wildcard ACM certificate, DNS-validated
 * and renewed by AWS, lets the Load Balancer Controller terminate TLS for every host one label under it (it picks
 * the certificate matching an Ingress's host); names under a team's domain have the team's (team-certificate.ts).
 *
 * Which names: only the environment's zone (domain and zone filters, and an IAM policy on that zone alone). Within
 * it, a team's objects may name only `<team>.<env>.<domain>` and below (Naming.teamDomain), which admission in team
 * namespaces enforces on Ingress hosts and external-dns's hostname annotation before an object is stored: the
 * filters here only select objects, and the annotations are the tenant's to set.
 */
export class EnvironmentDns extends pulumi.ComponentResource {
  readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: EnvironmentDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:dns:EnvironmentDns", name, {}, opts);
    const awsOpts = { parent: this, provider: args.awsProvider };
    const domain = `${args.naming.environment}.${args.naming.domain}`;

    this.certificateArn = dnsValidatedCertificate(
      name,
      { domainName: `*.${domain}`, hostedZoneId: args.hostedZoneId, tags: args.naming.tags() },
      awsOpts,
    );

    const { roleArn, serviceAccount } = chartServiceAccount(this, name, args, {
      purpose: "external-dns",
      namespace: NAMESPACE,
      serviceAccount: "external-dns",
      policy: JSON.stringify(externalDnsPolicy(args.aws, args.hostedZoneId)),
    });
    new k8s.helm.v4.Chart(
      `${name}-external-dns`,
      {
        ...chartSource(CHARTS.externalDns),
        namespace: NAMESPACE,
        name: "external-dns",
        values: {
          image: { repository: throughMirror(EXTERNAL_DNS_IMAGE, args.registryMirrors) },
          provider: { name: "aws" },
          env: [{ name: "AWS_DEFAULT_REGION", value: args.aws.region }],
          serviceAccount,
          sources: ["service", "ingress"],
          domainFilters: [domain],
          extraArgs: [
            `--zone-id-filter=${args.hostedZoneId}`,
            // Load balancers only: a NodePort Service would publish node addresses, a ClusterIP one (with
            // --publish-internal-services) cluster addresses, neither of which anyone outside should be given.
            "--service-type-filter=LoadBalancer",
          ],
          // Records follow their objects: one goes when its Ingress or Service goes. With upsert-only a name
          // outlived what it pointed at (a team's deleted Ingress, a revoked public grant, a removed team), left
          // pointing at an address the cloud may hand to someone else, and stayed taken. Deletes touch only records
          // whose TXT ownership record carries this cluster's owner id (external-dns plan.go), never the names
          // Pulumi keeps in the zone (Dex's, the certificates' validation records).
          policy: "sync",
          registry: "txt",
          txtOwnerId: args.clusterName,
          tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
        },
      },
      { parent: this, provider: args.provider },
    );
    this.registerOutputs({ certificateArn: this.certificateArn, roleArn });
  }
}
