import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as certManager from "@pulumi/kubernetes-cert-manager";
import * as pulumi from "@pulumi/pulumi";
import { CertManagerConfig, IssuerName } from "../../config/sections/services";
import { RegistryMirrors, registryThroughMirror } from "../../lib/images";
import { Naming } from "../../lib/naming";
import { AwsScope, IrsaIssuer, ROLE_ARN_ANNOTATION, serviceAccountRole } from "../irsa";
import { platformNamespace } from "../tenancy";
import { CHARTS, chartSource } from "../../lib/versions";
import { acmeIssuerSpec, isAcmeIssuer, SELF_SIGNED_CHAIN, selfSignedCaCertificateSpec } from "./issuers";
import { route53ChallengePolicy } from "./policy";

export const CERT_MANAGER_NAMESPACE = "cert-manager";
const SERVICE_ACCOUNT = "cert-manager";
/** The controller's metrics Service of the pinned chart (its templates/service.yaml, for the release `cert-manager`). */
export const CERT_MANAGER_METRICS = {
  namespace: CERT_MANAGER_NAMESPACE,
  serviceSelector: {
    "app.kubernetes.io/name": "cert-manager",
    "app.kubernetes.io/instance": "cert-manager",
    "app.kubernetes.io/component": "controller",
  },
  port: "http-metrics",
};
/** Free on the host: the chart's default webhook port 10250 is the kubelet's. */
const HOST_NETWORK_WEBHOOK_PORT = 10260;

export interface CertManagerArgs {
  readonly provider: k8s.Provider;
  readonly awsProvider: aws.Provider;
  readonly irsa: IrsaIssuer;
  readonly naming: Naming;
  readonly aws: AwsScope;
  readonly config: CertManagerConfig;
  /** Route53 zone of `<env>.<domain>`; required (config/rules.ts) when a Let's Encrypt issuer is configured. */
  readonly hostedZoneId?: string;
  /**
   * True when Calico is the CNI: the EKS control plane cannot reach overlay pod addresses, so the admission
   * webhook must listen on the node's address instead.
   */
  readonly webhookOnHostNetwork: boolean;
  /** The environment's ECR pull-through caches: cert-manager's images are on Quay. */
  readonly registryMirrors: RegistryMirrors;
}

/** cert-manager and the environment's ClusterIssuers. */
export class CertManager extends pulumi.ComponentResource {
  /** Names of the ClusterIssuers workloads can reference. */
  readonly issuers: string[];

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cert-manager:CertManager", name, {}, opts);
    const { config, naming } = args;
    const k8sOpts = { parent: this, provider: args.provider };
    const acmeIssuers = config.issuers.filter(isAcmeIssuer);

    const namespace = platformNamespace(this, {
      provider: args.provider,
      naming,
      name: CERT_MANAGER_NAMESPACE,
      // Host networking is beyond even `baseline`; without it every cert-manager pod meets `restricted`.
      podSecurity: args.webhookOnHostNetwork ? "privileged" : "restricted",
    });

    const dnsRole =
      acmeIssuers.length > 0
        ? serviceAccountRole(this, `${name}-route53`, {
            awsProvider: args.awsProvider,
            irsa: args.irsa,
            naming,
            purpose: "cert-manager-route53",
            namespace: CERT_MANAGER_NAMESPACE,
            serviceAccount: SERVICE_ACCOUNT,
            policy: JSON.stringify(route53ChallengePolicy(args.aws, requireZone(args.hostedZoneId))),
          })
        : undefined;

    // The package installs a helm.v3 Release: the chart's startupapicheck is a post-install hook that holds the
    // release until the webhook answers, so issuers are not created against a webhook that is still starting.
    const source = chartSource(CHARTS.certManager);
    const release = new certManager.CertManager(
      `${name}-release`,
      {
        serviceAccount: {
          create: true,
          name: SERVICE_ACCOUNT,
          annotations: dnsRole ? { [ROLE_ARN_ANNOTATION]: dnsRole.arn } : {},
        },
        // fsGroup lets the non-root controller read the projected web identity token.
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, fsGroup: 1001 },
        global: { leaderElection: { namespace: CERT_MANAGER_NAMESPACE } },
        // The VPC resolver may answer for a private zone of the same name and never see the challenge record,
        // so the propagation self-check asks public resolvers, as Let's Encrypt does.
        extraArgs:
          acmeIssuers.length > 0 ? ["--dns01-recursive-nameservers-only", "--dns01-recursive-nameservers=1.1.1.1:53,8.8.8.8:53"] : [],
        webhook: args.webhookOnHostNetwork ? { hostNetwork: true, securePort: HOST_NETWORK_WEBHOOK_PORT } : {},
        helmOptions: {
          name: "cert-manager",
          ...source,
          // The package fills an unset repository with its upstream one (pulumi-go-helmbase InitDefaults), which
          // would turn a mirror's archive path or oci:// reference into a chart name to look up upstream.
          repositoryOpts: source.repositoryOpts ?? { repo: "" },
          namespace: CERT_MANAGER_NAMESPACE,
          // `crds.enabled`, not the deprecated `installCRDs` (which also sets `crds.keep`); the package has no
          // typed argument for it, and typed arguments are merged over these values.
          // `imageRegistry` is the chart's one registry for all its images (controller, webhook, cainjector,
          // startupapicheck, ACME solver), all on Quay.
          // `approveSignerNames`: the approver approves requests for these signers only (the chart's default is every
          // Issuer and every ClusterIssuer, `clusterissuers.cert-manager.io/*`). ClusterIssuers, which any namespace
          // may name, are approved only as configured: one created outside this program is never approved on its own.
          // Namespaced Issuers stay approved: only the platform can create one (no team role holds `issuers`), and
          // one signs only for its own namespace.
          values: {
            crds: { enabled: true },
            imageRegistry: registryThroughMirror("quay.io", args.registryMirrors),
            approveSignerNames: approvedSigners(config.issuers),
          },
        },
      },
      { ...k8sOpts, dependsOn: namespace },
    );

    const clusterIssuer = (issuerName: string, spec: object, dependsOn: pulumi.Resource) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${issuerName}`,
        { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: issuerName, labels: naming.labels() }, spec },
        { ...k8sOpts, dependsOn },
      );

    for (const issuer of acmeIssuers) {
      const zone = {
        dnsZone: `${naming.environment}.${naming.domain}`,
        hostedZoneId: requireZone(args.hostedZoneId),
        region: args.aws.region,
      };
      clusterIssuer(issuer, acmeIssuerSpec(issuer, config.acmeEmail!, zone), release);
    }
    if (config.issuers.includes("selfsigned-ca")) {
      // A namespaced Issuer: a self-signed issuer signs whatever it is asked, CA certificates included, and a
      // ClusterIssuer could be named by any namespace's Certificate; this one only by cert-manager's own.
      const bootstrap = new k8s.apiextensions.CustomResource(
        `${name}-${SELF_SIGNED_CHAIN.bootstrapIssuer}`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Issuer",
          metadata: { name: SELF_SIGNED_CHAIN.bootstrapIssuer, namespace: CERT_MANAGER_NAMESPACE, labels: naming.labels() },
          spec: { selfSigned: {} },
        },
        { ...k8sOpts, dependsOn: release },
      );
      const ca = new k8s.apiextensions.CustomResource(
        `${name}-${SELF_SIGNED_CHAIN.caSecret}-certificate`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: SELF_SIGNED_CHAIN.caSecret, namespace: CERT_MANAGER_NAMESPACE, labels: naming.labels() },
          spec: selfSignedCaCertificateSpec(naming.environment),
        },
        { ...k8sOpts, dependsOn: bootstrap },
      );
      clusterIssuer(SELF_SIGNED_CHAIN.caIssuer, { ca: { secretName: SELF_SIGNED_CHAIN.caSecret } }, ca);
    }

    this.issuers = [...config.issuers];
    this.registerOutputs({ issuers: this.issuers });
  }
}

/** Signer names (cert-manager's approval docs: `<resource>.<group>/<name>`, `*` for all) the approver may approve. */
export function approvedSigners(issuers: readonly IssuerName[]): string[] {
  return ["issuers.cert-manager.io/*", ...issuers.map((issuer) => `clusterissuers.cert-manager.io/${issuer}`)];
}

function requireZone(hostedZoneId: string | undefined): string {
  if (!hostedZoneId) throw new Error("a Let's Encrypt issuer needs environment.hostedZoneId (config/rules.ts checks this)");
  return hostedZoneId;
}
