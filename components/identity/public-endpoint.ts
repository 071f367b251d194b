import { NLB_LOAD_BALANCER_CLASS } from "../../lib/ingress-classes";
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
  /** The AWS Load Balancer Controller, ready (LoadBalancerController.ready): it builds the NLB. */
  readonly loadBalancerController: pulumi.Input<pulumi.Resource>[];
}

/** The published endpoint: the Service (awaited until its NLB has a name) and the record naming it. */
export interface PublicEndpoint {
  readonly service: k8s.core.v1.Service;
  readonly record: aws.route53.Record;
}

/** NLB TLS policy: TLS 1.2 and 1.3 only. */
const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * An internet-facing HTTPS endpoint without an ingress controller: a `LoadBalancer` Service becomes an NLB built by
 * the AWS Load Balancer Controller, terminating TLS with an ACM certificate (DNS-validated, renewed by AWS), and a
 * CNAME names it. The annotations are the controller's (docs/guide/service/annotations.md: scheme, ssl-cert,
 * ssl-ports, ssl-negotiation-policy); its target type is the controller's default for the pod network
 * (`defaultTargetType`, components/load-balancing).
 */
export function publicHttpsEndpoint(parent: pulumi.Resource, name: string, args: PublicEndpointArgs): PublicEndpoint {
  const awsOpts = { parent, provider: args.awsProvider };
  const certificateArn = dnsValidatedCertificate(name, { domainName: args.hostname, hostedZoneId: args.hostedZoneId, tags: {} }, awsOpts);

  const service = new k8s.core.v1.Service(
    `${name}-service`,
    {
      metadata: {
        name: `${name}-public`,
        namespace: args.namespace,
        labels: args.naming.labels(),
        annotations: {
          "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
          "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": certificateArn,
          "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
          "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": TLS_POLICY,
        },
      },
      spec: {
        type: "LoadBalancer",
        loadBalancerClass: NLB_LOAD_BALANCER_CLASS,
        selector: args.selector,
        ports: [{ name: "https", port: 443, targetPort: args.targetPort, protocol: "TCP" }],
      },
    },
    {
      parent,
      provider: args.provider,
      dependsOn: args.loadBalancerController,
      // The API server refuses to change a LoadBalancer Service's class once set; a Service made without one is
      // replaced (same name, so the old one goes first), and its record follows the new NLB's name.
      replaceOnChanges: ["spec.loadBalancerClass"],
      deleteBeforeReplace: true,
    },
  );
  // The provider awaits a LoadBalancer Service until its load balancer has a name, so the record is written
  // once there is something to name.
  const record = new aws.route53.Record(
    `${name}-dns`,
    { zoneId: args.hostedZoneId, name: args.hostname, type: "CNAME", ttl: 300, records: [service.status.loadBalancer.ingress[0].hostname] },
    awsOpts,
  );
  return { service, record };
}
