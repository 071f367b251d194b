/**
 * Kibana behind oauth2-proxy. Kibana's own OpenID Connect login needs a paid licence, so oauth2-proxy logs
 * users in with Dex and Kibana signs every request that passes it in as one shared, read-only identity
 * (Kibana's anonymous provider). A NetworkPolicy makes the proxy the only way in.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RegistryMirrors, registryThroughMirror } from "../../lib/images";
import { LABEL_PREFIX, Naming } from "../../lib/naming";
import { DashboardExposure, dashboardIngressAnnotations, dashboardIngressClass, dashboardServiceType } from "../monitoring";
import { ELASTICSEARCH_NAME, USERS } from "./elasticsearch";

export const KIBANA_NAME = "logging";
const KIBANA_PORT = 5601;
/** ECK names Kibana's Service `<name>-kb-http` and labels its pods with `kibana.k8s.elastic.co/name`. */
export function kibanaService(namespace: string): string {
  return `${KIBANA_NAME}-kb-http.${namespace}.svc`;
}

export const PROXY_SECRET = "kibana-oauth2-proxy";
/** Label of the proxy's pods, which the NetworkPolicy admits to Kibana. */
export const PROXY_POD_LABEL = { [`${LABEL_PREFIX}/kibana-proxy`]: "true" };
/** ECK's label on Kibana's pods. */
export const KIBANA_POD_LABEL = { "kibana.k8s.elastic.co/name": KIBANA_NAME };

const ANONYMOUS_PROVIDER = "anonymous1";
const ANONYMOUS_PASSWORD_SETTING = `xpack.security.authc.providers.anonymous.${ANONYMOUS_PROVIDER}.credentials.password`;

export interface KibanaSettings {
  readonly version: string;
  readonly replicas: number;
  readonly naming: Naming;
}

/** `spec` of the Kibana resource. */
export function kibanaSpec(settings: KibanaSettings) {
  return {
    version: settings.version,
    count: settings.replicas,
    elasticsearchRef: { name: ELASTICSEARCH_NAME },
    // Plain HTTP inside the namespace: its only client is the proxy, the one peer the NetworkPolicy admits.
    http: { tls: { selfSignedCertificate: { disabled: true } } },
    config: {
      "server.publicBaseUrl": settings.naming.url("kibana"),
      "xpack.security.authc.providers": {
        // Order 0: whoever passed the proxy is signed in without a Kibana login form.
        [`anonymous.${ANONYMOUS_PROVIDER}`]: { order: 0, credentials: { username: USERS.kibanaViewer.username } },
        // Break-glass: the `elastic` superuser at /login.
        "basic.basic1": { order: 1 },
      },
    },
    // The viewer's password reaches Kibana through its keystore, never through this spec.
    secureSettings: [{ secretName: USERS.kibanaViewer.secret, entries: [{ key: "password", path: ANONYMOUS_PASSWORD_SETTING }] }],
    podTemplate: {
      spec: {
        containers: [
          {
            name: "kibana",
            resources: { requests: { cpu: "200m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
            // ECK probes /login by default, which the anonymous provider removes. /api/status answers a request
            // without credentials too, with its overall level only, and 503 until Kibana is available (elastic/kibana's
            // API integration test of GET /api/status: "returns redacted payload for unauthenticated requests").
            readinessProbe: {
              httpGet: { path: "/api/status", port: KIBANA_PORT, scheme: "HTTP" },
              initialDelaySeconds: 10,
              periodSeconds: 10,
              timeoutSeconds: 5,
            },
          },
        ],
      },
    },
  };
}

export interface ProxySettings {
  readonly naming: Naming;
  readonly namespace: string;
  readonly replicas: number;
  readonly exposure: DashboardExposure;
  readonly oidcIssuerUrl: pulumi.Input<string>;
  /** ID-token claim with the user's directory groups (identity.oidc.groupsClaim; Dex sends `groups`). */
  readonly groupsClaim: string;
  /** Directory groups admitted to Kibana (observability.logging.kibana.allowedGroups), without the cluster's OIDC prefix. */
  readonly allowedGroups: readonly string[];
  readonly registryMirrors: RegistryMirrors;
}

const PROXY_READY_TIMEOUT_SECONDS = 20 * 60;

/** A TOML string list for oauth2-proxy's config file (group names may hold spaces and dots). */
const tomlList = (items: readonly string[]) => `[ ${items.map((item) => JSON.stringify(item)).join(", ")} ]`;

/** Values of the oauth2-proxy chart. */
export function oauth2ProxyValues(settings: ProxySettings) {
  const { naming, exposure } = settings;
  return {
    replicaCount: settings.replicas,
    // The chart's one image is on Quay: its global registry (default quay.io) is where it is pulled from.
    global: { imageRegistry: registryThroughMirror("quay.io", settings.registryMirrors) },
    // client-id, client-secret and cookie-secret come from a Secret, out of the chart values.
    config: {
      existingSecret: PROXY_SECRET,
      // Signing in to Dex is not enough: Kibana shows every team's logs under one identity, so oauth2-proxy
      // refuses (403) anyone whose groups claim holds none of the allowed groups. `allowed_groups` is the config
      // file form of `--allowed-group` (oauth2-proxy configuration overview, "General Provider Options").
      configFile: [
        `email_domains = [ "*" ]`,
        `upstreams = [ "http://${kibanaService(settings.namespace)}:${KIBANA_PORT}" ]`,
        `oidc_groups_claim = ${JSON.stringify(settings.groupsClaim)}`,
        `allowed_groups = ${tomlList(settings.allowedGroups)}`,
      ].join("\n"),
    },
    extraArgs: {
      provider: "oidc",
      "oidc-issuer-url": settings.oidcIssuerUrl,
      "redirect-url": naming.url("kibana", "/oauth2/callback"),
      scope: "openid email profile groups",
      "skip-provider-button": "true",
      // Behind the load balancer: trust its X-Forwarded-* headers for the original scheme and host.
      "reverse-proxy": "true",
    },
    podLabels: PROXY_POD_LABEL,
    // The proxy reads its issuer's discovery document when it starts and exits while it cannot, and the kubelet
    // restarts it with a backoff of up to five minutes. On admin's first deploy the issuer is Dex behind an NLB and a
    // DNS name created by the same update, which take minutes to answer: the provider waits 20 minutes for the
    // Deployment rather than its default 10 (pulumi-kubernetes reads pulumi.com/timeoutSeconds on any object).
    deploymentAnnotations: { "pulumi.com/timeoutSeconds": String(PROXY_READY_TIMEOUT_SECONDS) },
    service: { type: dashboardServiceType(exposure) },
    ingress: {
      enabled: true,
      className: dashboardIngressClass(exposure),
      // oauth2-proxy answers /ping without a login (its endpoints documentation), where / would redirect to Dex.
      annotations: dashboardIngressAnnotations(exposure, "/ping"),
      hosts: [naming.dns("kibana")],
      path: "/",
      pathType: "Prefix",
    },
  };
}

/** Only the proxy may reach Kibana: anyone else in the cluster would be signed in anonymously without Dex. */
export function kibanaIngressPolicy(): k8s.types.input.networking.v1.NetworkPolicySpec {
  return {
    podSelector: { matchLabels: KIBANA_POD_LABEL },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ podSelector: { matchLabels: PROXY_POD_LABEL } }], ports: [{ protocol: "TCP", port: KIBANA_PORT }] }],
  };
}
