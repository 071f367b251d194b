import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { dnsValidatedCertificate } from "../dns/certificate";

export interface PublicEndpointArgs {
  readonly provider: k8s.Provider;
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly namespace: pulumi.Input<string>;
  /** Public DNS name; its record and certificate validation go into `hostedZoneId`. */
  readonly hostname: string;
  readonly hostedZoneId: string;
  readonly selector: Record<string, string>;
  /** Named container port that serves plain HTTP behind the load balancer. */
  readonly targetPort: string;
}

/** NLB TLS policy: TLS 1.2 and 1.3 only. */
const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * An internet-facing HTTPS endpoint without an ingress controller: a `LoadBalancer` Service becomes an NLB
 * that terminates TLS with an ACM certificate (DNS-validated, renewed by AWS), and a CNAME names it.
 * The annotations are understood both by the EKS built-in service controller and by the AWS Load Balancer
 * Controller, should one be installed later.
 */
export function publicHttpsEndpoint(parent: pulumi.Resource, name: string, args: PublicEndpointArgs): k8s.core.v1.Service {
  const awsOpts = { parent, provider: args.awsProvider };
  const certificateArn = dnsValidatedCertificate(
    name,
    { domainName: args.hostname, hostedZoneId: args.hostedZoneId, tags: { Name: args.hostname } },
    awsOpts,
  );

  const service = new k8s.core.v1.Service(
    `${name}-service`,
    {
      metadata: {
        name: `${name}-public`,
        namespace: args.namespace,
        labels: args.naming.labels(),
        annotations: {
          "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
          "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
          "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": certificateArn,
          "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
          "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": TLS_POLICY,
        },
      },
      spec: {
        type: "LoadBalancer",
        selector: args.selector,
        ports: [{ name: "https", port: 443, targetPort: args.targetPort, protocol: "TCP" }],
      },
    },
    { parent, provider: args.provider },
  );
  new aws.route53.Record(
    `${name}-dns`,
    { zoneId: args.hostedZoneId, name: args.hostname, type: "CNAME", ttl: 300, records: [service.status.loadBalancer.ingress[0].hostname] },
    awsOpts,
  );
  return service;
}
