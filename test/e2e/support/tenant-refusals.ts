/**
 * What a tenant might try beyond its namespaces' limits, for the tenant-boundaries suite: each object, who tries
 * it, the admission policy that refuses it and the message the refusal must give.
 */
import {
  ADMIN,
  ALPHA_DOMAIN,
  backend,
  BETA_DOMAIN,
  certificate,
  cronJob,
  deployment,
  DEVELOPER,
  ingress,
  pod,
  podMonitor,
  roleBinding,
  service,
  serviceMonitor,
} from "./tenant-manifests";
import { Person } from "./tenant";

export interface Refusal {
  readonly name: string;
  readonly as: Person;
  readonly manifest: object;
  readonly policy: string;
  readonly message: string;
}

const INGRESSES = "team-namespaces-ingresses";
const SERVICES = "team-namespaces-services";
const SCHEDULING = "team-namespaces-scheduling";
const MONITORS = "team-namespaces-monitors";
const CERTIFICATES = "team-namespaces-certificates";
const OUTSIDE = `is outside team alpha's names: use ${ALPHA_DOMAIN} or a name under it`;
const RELABELING_REFUSED =
  "ServiceMonitor web: a relabeling that sets __address__ (or another internal label), templates its target label or maps labels (labelmap) " +
  "can make Prometheus scrape any address";

/** Objects a tenant might try to create, the policy that refuses each, and the message it must give. */
export const REFUSED: Refusal[] = [
  {
    name: "an Ingress with the legacy class annotation, which skips the class's parameters",
    as: DEVELOPER,
    manifest: ingress({ ingressClassName: undefined }, { "kubernetes.io/ingress.class": "alb" }),
    policy: INGRESSES,
    message:
      "the kubernetes.io/ingress.class annotation is not allowed in team namespaces (it overrides the IngressClass and its settings): set spec.ingressClassName: alb instead",
  },
  {
    name: "an Ingress choosing its own scheme",
    as: DEVELOPER,
    manifest: ingress({}, { "alb.ingress.kubernetes.io/scheme": "internet-facing" }),
    policy: INGRESSES,
    message: "the alb.ingress.kubernetes.io/scheme annotation is not allowed in team namespaces: the IngressClass decides the scheme",
  },
  {
    name: "an Ingress joining the dashboards' load balancer group",
    as: DEVELOPER,
    manifest: ingress({}, { "alb.ingress.kubernetes.io/group.name": "dashboards", "alb.ingress.kubernetes.io/group.order": "-1000" }),
    policy: INGRESSES,
    message:
      "alb.ingress.kubernetes.io/group.name dashboards is not team alpha's: a group shares one load balancer across namespaces; use alpha or alpha.<name>",
  },
  {
    name: "an Ingress joining another team's group by a prefix of its name",
    as: DEVELOPER,
    manifest: ingress({}, { "alb.ingress.kubernetes.io/group.name": "alpha-shop" }),
    policy: INGRESSES,
    message: "alb.ingress.kubernetes.io/group.name alpha-shop is not team alpha's",
  },
  {
    name: "an Ingress of the platform's class",
    as: DEVELOPER,
    manifest: ingress({ ingressClassName: "alb-platform" }),
    policy: INGRESSES,
    message: "ingressClassName alb-platform is the platform's dashboards' load balancer, not for team namespaces: use alb",
  },
  {
    name: "an internet-facing Ingress without the grant",
    as: DEVELOPER,
    manifest: ingress({ ingressClassName: "alb-public" }),
    policy: INGRESSES,
    message:
      "ingressClassName alb-public (internet-facing) needs a public-ingress grant (platform:teams[].publicIngress in the stack config), which team alpha has not: use alb (internal)",
  },
  {
    name: "an Ingress for Grafana's host",
    as: DEVELOPER,
    manifest: ingress({
      rules: [{ host: "grafana.local.platform.localhost", http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }],
    }),
    policy: INGRESSES,
    message: `host grafana.local.platform.localhost ${OUTSIDE}`,
  },
  {
    name: "an Ingress whose TLS names another team's host",
    as: DEVELOPER,
    manifest: ingress({ tls: [{ hosts: [`web.${BETA_DOMAIN}`] }] }),
    policy: INGRESSES,
    message: `host web.${BETA_DOMAIN} ${OUTSIDE}`,
  },
  {
    name: "an Ingress asking external-dns for a name outside the team's",
    as: DEVELOPER,
    manifest: ingress({}, { "external-dns.alpha.kubernetes.io/hostname": `web.${ALPHA_DOMAIN}, Kibana.local.platform.localhost.` }),
    policy: INGRESSES,
    message: `external-dns hostname annotation names kibana.local.platform.localhost., outside team alpha's names: use ${ALPHA_DOMAIN} or a name under it`,
  },
  {
    name: "a Service with external IPs (CVE-2020-8554)",
    as: DEVELOPER,
    manifest: service({ externalIPs: ["10.0.0.10"] }),
    policy: SERVICES,
    message: "spec.externalIPs is not allowed in team namespaces: a Service's external IP captures that address's traffic",
  },
  {
    name: "an internet-facing load balancer without the grant",
    as: DEVELOPER,
    manifest: service({}, { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" }),
    policy: SERVICES,
    message:
      "service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing (or service.beta.kubernetes.io/aws-load-balancer-internal: false) needs a public-ingress grant",
  },
  {
    name: "a Service asking external-dns for the platform's name",
    as: DEVELOPER,
    manifest: service({}, { "external-dns.alpha.kubernetes.io/internal-hostname": "dex.local.platform.localhost" }),
    policy: SERVICES,
    message: "external-dns hostname annotation names dex.local.platform.localhost, outside team alpha's names",
  },
  {
    name: "a NodePort Service",
    as: DEVELOPER,
    manifest: service({ type: "NodePort" }),
    policy: "team-namespaces-no-node-ports",
    message: "NodePort Services are not allowed in team namespaces: use a LoadBalancer Service (within the team's quota) or an Ingress",
  },
  {
    name: "a Pod tolerating every taint",
    as: DEVELOPER,
    manifest: pod({ tolerations: [{ operator: "Exists" }] }),
    policy: SCHEDULING,
    message: "Pod web: a toleration without a key (operator Exists) tolerates every taint, the platform's nodes' included",
  },
  {
    name: "a Pod tolerating the critical add-ons' taint",
    as: DEVELOPER,
    manifest: pod({ tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }] }),
    policy: SCHEDULING,
    message:
      "Pod web: tolerating CriticalAddonsOnly would schedule onto the platform's own nodes, which team namespaces may not use: remove the toleration",
  },
  {
    name: "a Pod bound to a node by name, past its taints",
    as: DEVELOPER,
    manifest: pod({ nodeName: "ip-10-0-1-1.internal" }),
    policy: SCHEDULING,
    message: "Pod web: spec.nodeName ip-10-0-1-1.internal binds the pod to a node past its taints",
  },
  {
    name: "a Pod of the system-node-critical priority",
    as: DEVELOPER,
    manifest: pod({ priorityClassName: "system-node-critical" }),
    policy: SCHEDULING,
    message:
      "Pod web: priorityClassName system-node-critical is the platform's (it would preempt other teams' and the platform's pods): leave it out, team pods take the default priority",
  },
  {
    name: "a Deployment of the priority an operator brings (Tigera's calico-priority)",
    as: DEVELOPER,
    manifest: deployment({ priorityClassName: "calico-priority" }),
    policy: SCHEDULING,
    message: "Deployment web: priorityClassName calico-priority is the platform's",
  },
  {
    name: "a Deployment whose pods tolerate every taint, refused when applied",
    as: DEVELOPER,
    manifest: deployment({ tolerations: [{ operator: "Exists", effect: "NoSchedule" }] }),
    policy: SCHEDULING,
    message: "Deployment web: a toleration without a key (operator Exists) tolerates every taint",
  },
  {
    name: "a CronJob of the system-cluster-critical priority",
    as: DEVELOPER,
    manifest: cronJob({ priorityClassName: "system-cluster-critical" }),
    policy: SCHEDULING,
    message: "CronJob nightly: priorityClassName system-cluster-critical is the platform's",
  },
  {
    name: "a ServiceMonitor sending Prometheus's own token",
    as: DEVELOPER,
    manifest: serviceMonitor({ bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" }),
    policy: MONITORS,
    message: "ServiceMonitor web: bearerTokenFile is read from Prometheus's own file system (its service account token)",
  },
  {
    name: "a ServiceMonitor reading Prometheus's files for TLS",
    as: DEVELOPER,
    manifest: serviceMonitor({ scheme: "https", tlsConfig: { caFile: "/etc/prometheus/secrets/ca.crt" } }),
    policy: MONITORS,
    message: "ServiceMonitor web: tlsConfig caFile, certFile and keyFile are read from Prometheus's own file system",
  },
  {
    name: "a ServiceMonitor scraping every namespace",
    as: DEVELOPER,
    manifest: serviceMonitor({}, { namespaceSelector: { any: true } }),
    policy: MONITORS,
    message: "ServiceMonitor web: namespaceSelector reaches beyond namespace alpha, into other teams' pods",
  },
  {
    name: "a PodMonitor scraping another team's namespace",
    as: DEVELOPER,
    manifest: podMonitor({ namespaceSelector: { matchNames: ["alpha", "beta"] } }),
    policy: MONITORS,
    message: "PodMonitor web: namespaceSelector reaches beyond namespace alpha",
  },
  {
    name: "a ServiceMonitor relabelling its target to the instance metadata service",
    as: DEVELOPER,
    manifest: serviceMonitor({ relabelings: [{ targetLabel: "__address__", replacement: "169.254.169.254:80" }] }),
    policy: MONITORS,
    message: RELABELING_REFUSED,
  },
  {
    name: "a ServiceMonitor mapping a Service annotation onto its target address (labelmap)",
    as: DEVELOPER,
    manifest: serviceMonitor({
      relabelings: [{ action: "labelmap", regex: "__meta_kubernetes_service_annotation_(target)", replacement: "__address__" }],
    }),
    policy: MONITORS,
    message: RELABELING_REFUSED,
  },
  {
    name: "a ServiceMonitor whose relabeling templates its target label",
    as: DEVELOPER,
    manifest: serviceMonitor({
      relabelings: [{ sourceLabels: ["__meta_kubernetes_service_label_to"], regex: "(.*)", targetLabel: "$1", replacement: "10.0.0.1:80" }],
    }),
    policy: MONITORS,
    message: RELABELING_REFUSED,
  },
  {
    name: "a Certificate for another team's name",
    as: DEVELOPER,
    manifest: certificate({ dnsNames: [`web.${ALPHA_DOMAIN}`, `api.${BETA_DOMAIN}`] }),
    policy: CERTIFICATES,
    message: `Certificate web names api.${BETA_DOMAIN}, outside team alpha's names: use ${ALPHA_DOMAIN} or a name under it`,
  },
  {
    name: "a Certificate whose common name is the platform's",
    as: DEVELOPER,
    manifest: certificate({ commonName: "grafana.local.platform.localhost" }),
    policy: CERTIFICATES,
    message: "Certificate web names grafana.local.platform.localhost, outside team alpha's names",
  },
  {
    name: "a CA certificate",
    as: DEVELOPER,
    manifest: certificate({ isCA: true }),
    policy: CERTIFICATES,
    message: "isCA is not allowed in team namespaces: a CA certificate signs certificates for any name; request leaf certificates",
  },
  {
    name: "a Certificate for an IP address and a URI",
    as: DEVELOPER,
    manifest: certificate({ ipAddresses: ["10.0.0.1"], uris: ["spiffe://local/ns/beta/sa/default"] }),
    policy: CERTIFICATES,
    message:
      "Certificate web: ipAddresses, uris may carry names that are not the team's, which team namespaces may not request: use dnsNames",
  },
  {
    name: "a Certificate from the self-signed chain's bootstrap issuer",
    as: DEVELOPER,
    manifest: certificate({ issuerRef: { kind: "ClusterIssuer", name: "selfsigned-bootstrap" } }),
    policy: CERTIFICATES,
    message:
      "Certificate web: issuerRef ClusterIssuer selfsigned-bootstrap is not offered to teams: use kind ClusterIssuer and one of letsencrypt-staging, letsencrypt-prod, selfsigned-ca",
  },
  {
    name: "a RoleBinding under the platform's name",
    as: ADMIN,
    manifest: roleBinding("team-observers", "namespace-admin", "alpha", "mallory@example.com"),
    policy: "team-namespaces-platform-objects",
    message: "may not create RoleBinding team-observers in alpha: the platform owns team-quota, container-defaults",
  },
];
