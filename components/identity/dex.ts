import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AdminConfig } from "../../config/sections/hub";
import { RegistryMirrors, throughMirror } from "../../lib/images";
import { Naming } from "../../lib/naming";
import { platformNamespace } from "../tenancy";
import { CHARTS, chartSource, IMAGES, splitImage } from "../../lib/versions";
import { DexStaticClient } from "./clients";
import { dexConfig, LDAP_BIND_PASSWORD_ENV } from "./config";
import { publicHttpsEndpoint } from "./public-endpoint";

export const DEX_NAMESPACE = "dex";
const RELEASE = "dex";
/** The chart's selector labels: `app.kubernetes.io/name` is the chart name, `instance` the release. */
const DEX_POD_LABELS = { "app.kubernetes.io/name": "dex", "app.kubernetes.io/instance": RELEASE };

export interface DexArgs {
  readonly provider: k8s.Provider;
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly dex: AdminConfig["dex"];
  /** Public DNS name of the issuer (`https://<hostname>`). */
  readonly hostname: string;
  readonly hostedZoneId: string;
  readonly clients: DexStaticClient[];
  readonly ldapBindPassword: pulumi.Output<string>;
  /** Client id → secret, for every client with a `secretEnv`. */
  readonly clientSecrets: Record<string, pulumi.Output<string>>;
  /** The hub's ECR pull-through caches: Dex's image (GHCR) comes through one where the hub caches GHCR. */
  readonly registryMirrors: RegistryMirrors;
  /** The AWS Load Balancer Controller, ready (LoadBalancerController.ready): it builds Dex's public NLB. */
  readonly loadBalancerController: pulumi.Input<pulumi.Resource>[];
}

/**
 * Dex on the admin cluster: the one OpenID Connect issuer of every environment, signing people in against
 * Active Directory. It must be reachable from the internet, because each environment's EKS control plane
 * fetches the issuer's discovery document and keys over the internet (and browsers are redirected to it).
 */
export class Dex extends pulumi.ComponentResource {
  readonly issuerUrl: string;
  /**
   * Ready once the issuer is published: Dex's pods serve (the provider awaits the Service until it has endpoints and
   * its NLB a name) and the issuer's name is in the zone. What contacts the issuer when it starts (Kibana's
   * oauth2-proxy runs OIDC discovery and exits if that fails) depends on these, so that its first lookup of the
   * name finds a record rather than a negatively cached NXDOMAIN; the NLB itself comes up within minutes after.
   */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: DexArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:identity:Dex", name, {}, opts);
    const { naming } = args;
    const k8sOpts = { parent: this, provider: args.provider };
    this.issuerUrl = dexIssuerUrl(args.hostname);

    const namespace = platformNamespace(this, { provider: args.provider, naming, name: DEX_NAMESPACE, podSecurity: "restricted" });
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: { name: "dex-credentials", namespace: DEX_NAMESPACE, labels: naming.labels() },
        stringData: {
          [LDAP_BIND_PASSWORD_ENV]: args.ldapBindPassword,
          ...Object.fromEntries(args.clients.flatMap((c) => (c.secretEnv ? [[c.secretEnv, args.clientSecrets[c.id]]] : []))),
        },
      },
      { ...k8sOpts, dependsOn: namespace },
    );

    // Chart v4: the chart has no hooks, and a preview then shows which rendered object a config change touches.
    new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        ...chartSource(CHARTS.dex),
        name: RELEASE,
        namespace: DEX_NAMESPACE,
        values: {
          replicaCount: args.dex.replicas,
          image: splitImage(throughMirror(IMAGES.dex, args.registryMirrors)),
          config: dexConfig(this.issuerUrl, args.dex.ldap, args.clients),
          envFrom: [{ secretRef: { name: "dex-credentials" } }],
          podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
          podDisruptionBudget: { enabled: args.dex.replicas > 1, minAvailable: 1 },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: DEX_POD_LABELS },
            },
          ],
        },
      },
      { ...k8sOpts, dependsOn: [namespace, credentials] },
    );

    const endpoint = publicHttpsEndpoint(this, name, {
      provider: args.provider,
      awsProvider: args.awsProvider,
      naming,
      namespace: namespace.metadata.name,
      hostname: args.hostname,
      hostedZoneId: args.hostedZoneId,
      selector: DEX_POD_LABELS,
      targetPort: "http",
      loadBalancerController: args.loadBalancerController,
    });
    this.ready = [endpoint.service, endpoint.record];

    this.registerOutputs({ issuerUrl: this.issuerUrl });
  }
}

/** Known before Dex exists, so that the admin cluster can trust its own issuer from the start. */
export function dexIssuerUrl(hostname: string): string {
  return `https://${hostname}`;
}
